//! The deployment's branding on customer pages: its theme mode, accent and radius in `/brand.css`,
//! its logo served by paydesk under a content-hashed name, and a storefront's theme from the URL.

use crate::common::spawn_app_with;

#[tokio::test]
async fn a_branded_deployment_shows_its_logo_theme_and_accent() {
    let dir = tempfile::tempdir().unwrap();
    let logo_file = dir.path().join("logo.svg");
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="80" height="32"><rect width="80" height="32" fill="#0b6e4f"/></svg>"##;
    std::fs::write(&logo_file, svg).unwrap();
    let app = spawn_app_with(&[
        ("PAYDESK_BRAND_ACCENT", "#0b6e4f"),
        ("PAYDESK_BRAND_RADIUS", "4"),
        ("PAYDESK_BRAND_THEME", "light"),
        ("PAYDESK_BRAND_LOGO_FILE", logo_file.to_str().unwrap()),
    ])
    .await;
    let id = app.new_checkout(1000).await;
    let html = app
        .http
        .get(format!("{}/pay/{id}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"data-theme="light""#), "{html}");
    assert!(html.contains(r#"href="/brand.css""#), "{html}");
    let logo_path = html
        .split(r#"src="/brand/logo-"#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|rest| format!("/brand/logo-{rest}"))
        .unwrap_or_else(|| panic!("{html}"));
    assert!(
        logo_path.starts_with("/brand/logo-") && logo_path.ends_with(".svg"),
        "{logo_path}: {html}"
    );

    let css = app
        .http
        .get(format!("{}/brand.css", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    let css = css.text().await.unwrap();
    assert!(css.contains("--radius:4px"), "{css}");
    assert!(css.contains("html,html[data-theme=light]{color-scheme:light;--bg:#f6f8fa;--surface:#ffffff;--ink:#1a1f36;--muted:#4f566b;--muted-on-bg:#4f566b;--line:#e3e8ee;--accent:#0b6e4f;"), "{css}");

    let logo = app
        .http
        .get(format!("{}{logo_path}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(logo.status(), 200);
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    assert!(logo.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert_eq!(logo.text().await.unwrap(), svg);
    let other = app
        .http
        .get(format!("{}/brand/logo-0000000000000000.svg", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
}

#[tokio::test]
async fn a_storefront_theme_in_the_url_reaches_the_page_and_only_as_read() {
    let app = spawn_app_with(&[]).await;
    let id = app.new_checkout(1000).await;
    let page = |query: &'static str| {
        let (http, url) = (app.http.clone(), format!("{}/pay/{id}{query}", app.base));
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let themed = page("?theme=dark&background=%23101418&accent=%235b3fd6").await;
    assert!(themed.contains(r#"data-theme="dark""#));
    assert!(
        themed.contains(r#"href="/brand.css?background=%23101418&amp;accent=%235b3fd6""#),
        "{themed}"
    );
    let plain = page("").await;
    assert!(plain.contains(r#"data-theme="auto""#) && plain.contains(r#"href="/brand.css""#));
    let hostile =
        page("?theme=%22%3E%3Cscript%3E&accent=%22%3E%3Cscript%3Ealert(1)%3C/script%3E").await;
    assert!(hostile.contains(r#"data-theme="auto""#) && hostile.contains(r#"href="/brand.css""#));
    assert!(!hostile.contains("<script>alert(1)"));

    let css = app
        .http
        .get(format!(
            "{}/brand.css?background=%23101418&accent=%235b3fd6",
            app.base
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let dark = css
        .split("html[data-theme=dark]{")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .unwrap();
    assert!(dark.starts_with("color-scheme:dark;--bg:#101418;"), "{css}");
    assert!(
        !dark.contains("--accent:#5b3fd6;"),
        "lightened to read on a dark page: {css}"
    );
}
