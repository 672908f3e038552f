//! Faults a simulated gateway can be told to inject into its next calls (shared by every
//! simulator): the call answers as if interrupted, after doing its work or not.

/// One queued fault: the next call of `operation` fails, after acting (`applied`) or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault<Operation> {
    pub operation: Operation,
    pub applied: bool,
}

/// Faults waiting for their call, first queued first used.
#[derive(Debug)]
pub struct FaultQueue<Operation> {
    queued: Vec<Fault<Operation>>,
}

impl<Operation> Default for FaultQueue<Operation> {
    fn default() -> Self {
        FaultQueue { queued: Vec::new() }
    }
}

impl<Operation: Copy + PartialEq> FaultQueue<Operation> {
    pub fn push(&mut self, fault: Fault<Operation>) {
        self.queued.push(fault);
    }

    /// Removes and returns the first fault queued for `operation`.
    pub fn take(&mut self, operation: Operation) -> Option<Fault<Operation>> {
        let index = self.queued.iter().position(|f| f.operation == operation)?;
        Some(self.queued.remove(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_used_once_in_order_per_operation() {
        let mut queue = FaultQueue::default();
        queue.push(Fault {
            operation: 'a',
            applied: true,
        });
        queue.push(Fault {
            operation: 'b',
            applied: false,
        });
        queue.push(Fault {
            operation: 'a',
            applied: false,
        });
        assert_eq!(
            queue.take('a'),
            Some(Fault {
                operation: 'a',
                applied: true
            })
        );
        assert_eq!(
            queue.take('a'),
            Some(Fault {
                operation: 'a',
                applied: false
            })
        );
        assert_eq!(queue.take('a'), None);
        assert_eq!(queue.take('b').map(|f| f.applied), Some(false));
    }
}
