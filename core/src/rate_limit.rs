//! A keyed rate limiter on `governor` (GCRA, lock-free, keyed; its stale keys are pruned as it goes),
//! and the address a request comes from, which most limits are keyed by. Used at the edge (pages,
//! API, sign-ins) and by the payment pages (new card forms after declines, per client).

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Where a request comes from (set on every request by the server's edge).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// What a per-client limit counts under: an IPv4 address, or an IPv6 address's /64 — one
    /// customer's network, inside which a host may take any of 2^64 addresses (an IPv4 address
    /// written as IPv6 counts as itself).
    pub fn network(self) -> IpAddr {
        match self.0 {
            IpAddr::V4(v4) => IpAddr::V4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let prefix = u128::from(v6) & !(u128::from(u64::MAX));
                    IpAddr::V6(std::net::Ipv6Addr::from(prefix))
                }
            },
        }
    }
}

/// How many requests a key may make per `period`, at most `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub count: NonZeroU32,
    pub period: Duration,
    pub burst: NonZeroU32,
}

impl Rate {
    /// `count` a minute, with a burst of a quarter of it (at least 1).
    pub fn per_minute(count: NonZeroU32) -> Rate {
        Rate::per(count, Duration::from_secs(60))
    }

    /// `count` an hour, with a burst of a quarter of it (at least 1).
    pub fn per_hour(count: NonZeroU32) -> Rate {
        Rate::per(count, Duration::from_secs(3600))
    }

    fn per(count: NonZeroU32, period: Duration) -> Rate {
        let burst = NonZeroU32::new(count.get().div_ceil(4)).unwrap_or(NonZeroU32::MIN);
        Rate {
            count,
            period,
            burst,
        }
    }

    /// The same rate, all of a period's allowance usable at once.
    pub fn whole_period_at_once(self) -> Rate {
        Rate {
            burst: self.count,
            ..self
        }
    }

    fn quota(self) -> Quota {
        let every = self.period / self.count.get();
        Quota::with_period(every.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
            .allow_burst(self.burst)
    }
}

/// One keyed limiter.
pub struct Limiter<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    checks: AtomicU64,
}

impl<K: Hash + Eq + Clone> std::fmt::Debug for Limiter<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Limiter")
    }
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    pub fn new(rate: Rate) -> Self {
        Limiter {
            limiter: RateLimiter::keyed(rate.quota()),
            checks: AtomicU64::new(0),
        }
    }

    /// `Ok` when `key` may go on; otherwise how long until it may.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        // Forget keys that are back to a full allowance now and then, so memory stays bounded.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(key).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .max(Duration::from_secs(1))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_per_slash_64_and_ipv4_per_address() {
        let network = |text: &str| ClientAddr(text.parse().unwrap()).network().to_string();
        assert_eq!(network("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::");
        assert_eq!(
            network("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            network("2001:db8:1:2::9"),
            "one /64 is one client"
        );
        assert_ne!(network("2001:db8:1:3::1"), network("2001:db8:1:2::1"));
        assert_eq!(network("198.51.100.7"), "198.51.100.7");
        assert_eq!(network("::ffff:198.51.100.7"), "198.51.100.7");
    }

    #[test]
    fn a_key_is_held_after_its_burst_and_others_are_not() {
        let limiter = Limiter::new(Rate {
            count: NonZeroU32::new(60).unwrap(),
            period: Duration::from_secs(60),
            burst: NonZeroU32::new(3).unwrap(),
        });
        for _ in 0..3 {
            assert!(limiter.check(&"a").is_ok());
        }
        let wait = limiter.check(&"a").unwrap_err();
        assert!(
            wait >= Duration::from_secs(1) && wait <= Duration::from_secs(2),
            "{wait:?}"
        );
        assert!(
            limiter.check(&"b").is_ok(),
            "one client's flood does not hold another"
        );
        let hourly = Limiter::new(Rate::per_hour(NonZeroU32::new(8).unwrap()));
        assert!(hourly.check(&"a").is_ok() && hourly.check(&"a").is_ok());
        let wait = hourly.check(&"a").unwrap_err();
        assert!(wait > Duration::from_secs(400), "an hour's rate: {wait:?}");
    }
}
