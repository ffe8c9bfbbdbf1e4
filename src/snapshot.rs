//! Counters that workers bump and readers copy out as a plain snapshot.

/// `Snapshot { field: counters.field.load(Relaxed), ... }` for the named `AtomicU64` fields.
/// Each counter is read on its own: while workers run, the fields may be a few counts apart.
macro_rules! load_snapshot {
    ($counters:expr, $snapshot:ident: $($field:ident),+ $(,)?) => {
        $snapshot {
            $($field: $counters.$field.load(std::sync::atomic::Ordering::Relaxed),)+
        }
    };
}

pub(crate) use load_snapshot;
