//! Why a run of concurrent requests stops early: the first reason to stop (a quota used up,
//! credentials refused) and the first fatal error (the journal or a report could not be
//! written). Shared by the tasks of a run; later reasons do not replace the first.

use std::sync::{Mutex, MutexGuard};

use crate::error::Error;

fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The first reason to stop, and the first fatal error.
#[derive(Debug)]
pub struct Halt {
    stop: Mutex<Option<String>>,
    fatal: Mutex<Option<Error>>,
    /// Becomes true on the first stop, for the tasks waiting their turn.
    stopped: tokio::sync::watch::Sender<bool>,
}

impl Default for Halt {
    fn default() -> Self {
        Halt {
            stop: Mutex::new(None),
            fatal: Mutex::new(None),
            stopped: tokio::sync::watch::channel(false).0,
        }
    }
}

impl Halt {
    /// Waits until the run stops (forever if it does not).
    pub async fn wait(&self) {
        let mut rx = self.stopped.subscribe();
        let _ = rx.wait_for(|s| *s).await;
    }

    /// Why the run stopped, if it did.
    pub fn stopped(&self) -> Option<String> {
        lock(&self.stop).clone()
    }

    /// Stops the run for `message`, unless it stopped already.
    pub fn stop(&self, message: String) {
        let mut stop = lock(&self.stop);
        if stop.is_none() {
            *stop = Some(message);
        }
        self.stopped.send_replace(true);
    }

    /// Records a fatal error (the first one is kept) and stops the run.
    pub fn fatal(&self, e: Error) {
        {
            let mut fatal = lock(&self.fatal);
            if fatal.is_none() {
                *fatal = Some(e);
            }
        }
        self.stop("a fatal error".into());
    }

    /// Takes the fatal error, if one happened.
    pub fn take_fatal(&self) -> Option<Error> {
        lock(&self.fatal).take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_reason_and_error_are_kept() {
        let h = Halt::default();
        assert_eq!(h.stopped(), None);
        h.stop("quota".into());
        h.stop("later".into());
        assert_eq!(h.stopped().as_deref(), Some("quota"));
        h.fatal(Error::Internal("one".into()));
        h.fatal(Error::Internal("two".into()));
        assert!(matches!(h.take_fatal(), Some(Error::Internal(m)) if m == "one"));
        assert!(h.take_fatal().is_none());
        assert_eq!(h.stopped().as_deref(), Some("quota"));
    }
}
