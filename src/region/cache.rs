//! The last cells this thread read and their regions: a country column holds a few distinct
//! names, so each is folded and looked up once per thread rather than once per row.

use std::cell::RefCell;

use super::Region;

/// Cells remembered (the oldest is forgotten first).
const SLOTS: usize = 16;
/// Bytes of the longest cell remembered (longer cells are read every time).
const LONGEST: usize = 32;

#[derive(Clone, Copy)]
struct Slot {
    len: usize,
    bytes: [u8; LONGEST],
    region: Option<Region>,
}

struct Cache {
    slots: [Slot; SLOTS],
    next: usize,
}

impl Cache {
    /// Nothing remembered: an empty cell, which names no region.
    const EMPTY: Self = Self {
        slots: [Slot {
            len: 0,
            bytes: [0; LONGEST],
            region: None,
        }; SLOTS],
        next: 0,
    };

    fn get(&self, text: &[u8]) -> Option<Option<Region>> {
        self.slots
            .iter()
            .find(|slot| slot.bytes.get(..slot.len) == Some(text))
            .map(|slot| slot.region)
    }

    fn put(&mut self, text: &[u8], region: Option<Region>) {
        let at = self.next % SLOTS;
        self.next = at + 1;
        if let Some(slot) = self.slots.get_mut(at)
            && let Some(room) = slot.bytes.get_mut(..text.len())
        {
            room.copy_from_slice(text);
            slot.len = text.len();
            slot.region = region;
        }
    }
}

thread_local! {
    static CACHE: RefCell<Cache> = const { RefCell::new(Cache::EMPTY) };
}

/// `read(text)`, remembered for the next calls with the same `text` on this thread.
pub(super) fn cached(text: &str, read: impl FnOnce(&str) -> Option<Region>) -> Option<Region> {
    let bytes = text.as_bytes();
    if bytes.len() > LONGEST {
        return read(text);
    }
    let hit = CACHE
        .try_with(|cache| cache.try_borrow().ok().and_then(|cache| cache.get(bytes)))
        .ok()
        .flatten();
    if let Some(region) = hit {
        return region;
    }
    let region = read(text);
    let _ = CACHE.try_with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            cache.put(bytes, region);
        }
    });
    region
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_last_cells_and_forgets_the_oldest() {
        // Cells no other test reads (the cache is the thread's).
        let de: Region = "DE".parse().unwrap_or(Region::World);
        let reads = std::cell::Cell::new(0);
        let read = |text: &str| {
            reads.set(reads.get() + 1);
            (text == "cache: Germany").then_some(de)
        };
        assert_eq!(cached("cache: Germany", read), Some(de));
        assert_eq!(cached("cache: Germany", read), Some(de));
        assert_eq!(cached("cache: Narnia", read), None);
        assert_eq!(cached("cache: Narnia", read), None);
        assert_eq!(reads.get(), 2);
        for i in 0..SLOTS {
            cached(&format!("cache: {i}"), read);
        }
        assert_eq!(cached("cache: Germany", read), Some(de));
        assert_eq!(reads.get(), 2 + SLOTS + 1);
        // Too long to remember: read every time.
        let long = "x".repeat(LONGEST + 1);
        cached(&long, read);
        cached(&long, read);
        assert_eq!(reads.get(), 2 + SLOTS + 3);
    }
}
