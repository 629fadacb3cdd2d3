//! Append-only lists shared by the run's driver and its views: a snapshot is frozen chunks and a length, so taking one copies no item.

use std::sync::Arc;

/// A snapshot of an append-only list: the chunks the driver froze so far, shared with every other
/// snapshot of the same list. Cloning one clones a few `Arc`s, never an item.
#[derive(Clone)]
pub struct Shared<T> {
    /// The chunks in order, each with the index of its first item.
    chunks: Arc<[(usize, Arc<[T]>)]>,
    len: usize,
    /// Which list this is a snapshot of (a fold of one list can go on from where it stopped).
    list: u64,
}

/// A fresh list id: one per run (and per run read back from storage).
fn next_list_id() -> u64 {
    thread_local! { static N: std::cell::Cell<u64> = const { std::cell::Cell::new(0) }; }
    N.with(|n| {
        n.set(n.get().wrapping_add(1));
        n.get()
    })
}

impl<T> Shared<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    /// The id of the list this snapshot belongs to: snapshots of one list with the same id agree on
    /// every item they both hold.
    pub fn list_id(&self) -> u64 {
        self.list
    }

    /// The chunk holding item `i`, and `i`'s place in it.
    fn locate(&self, i: usize) -> Option<(usize, usize)> {
        if i >= self.len {
            return None;
        }
        // The last chunk starting at or before i.
        let c = self.chunks.partition_point(|(start, _)| *start <= i);
        let c = c.checked_sub(1)?;
        let (start, _) = self.chunks.get(c)?;
        Some((c, i - start))
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        let (c, k) = self.locate(i)?;
        self.chunks.get(c)?.1.get(k)
    }

    pub fn first(&self) -> Option<&T> {
        self.get(0)
    }

    pub fn iter(&self) -> Iter<'_, T> {
        self.iter_from(0)
    }

    /// The items from index `from` on, without stepping through the ones before it.
    pub fn iter_from(&self, from: usize) -> Iter<'_, T> {
        let (c, k) = self.locate(from).unwrap_or((self.chunks.len(), 0));
        let rest = self.chunks.get(c..).unwrap_or_default();
        let (current, rest) = match rest.split_first() {
            Some(((_, chunk), rest)) => (chunk.get(k..).unwrap_or_default(), rest),
            None => (&[][..], rest),
        };
        Iter {
            current: current.iter(),
            rest,
        }
    }
}

/// The items of a [`Shared`] in order, chunk after chunk.
pub struct Iter<'a, T> {
    current: std::slice::Iter<'a, T>,
    rest: &'a [(usize, Arc<[T]>)],
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        loop {
            if let Some(x) = self.current.next() {
                return Some(x);
            }
            let ((_, chunk), rest) = self.rest.split_first()?;
            self.current = chunk.iter();
            self.rest = rest;
        }
    }
}

impl<T> Default for Shared<T> {
    fn default() -> Self {
        Shared {
            chunks: Arc::from(Vec::new()),
            len: 0,
            list: next_list_id(),
        }
    }
}

impl<T> From<Vec<T>> for Shared<T> {
    fn from(items: Vec<T>) -> Self {
        let mut a = Appender::default();
        a.append(items);
        a.snapshot()
    }
}

impl<T> FromIterator<T> for Shared<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Shared::from(iter.into_iter().collect::<Vec<T>>())
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The writing end of a shared list (the driver's): appends items as chunks, hands out snapshots.
pub struct Appender<T> {
    chunks: Vec<(usize, Arc<[T]>)>,
    len: usize,
    list: u64,
}

impl<T> Default for Appender<T> {
    fn default() -> Self {
        Appender {
            chunks: Vec::new(),
            len: 0,
            list: next_list_id(),
        }
    }
}

impl<T> Appender<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    /// Freezes `items` as the list's next chunk (nothing when there are none).
    pub fn append(&mut self, items: Vec<T>) {
        if items.is_empty() {
            return;
        }
        let n = items.len();
        self.chunks.push((self.len, Arc::from(items)));
        self.len += n;
    }

    /// The list as it is now; later appends do not change it.
    pub fn snapshot(&self) -> Shared<T> {
        Shared {
            chunks: Arc::from(self.chunks.as_slice()),
            len: self.len,
            list: self.list,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_share_chunks_and_keep_their_length() {
        let mut a = Appender::default();
        a.append(vec![1, 2, 3]);
        let early = a.snapshot();
        a.append(vec![]);
        a.append(vec![4]);
        a.append(vec![5, 6]);
        let late = a.snapshot();
        assert_eq!(early.iter().copied().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(late.iter().copied().collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
        assert_eq!(early.list_id(), late.list_id());
        assert_eq!(
            (late.get(3), late.get(5), late.get(6)),
            (Some(&4), Some(&6), None)
        );
        assert_eq!(early.get(3), None, "a snapshot does not see later items");
        for from in 0..=7 {
            let tail: Vec<i32> = late.iter_from(from).copied().collect();
            assert_eq!(
                tail,
                [1, 2, 3, 4, 5, 6].get(from..).unwrap_or_default(),
                "{from}"
            );
        }
        assert_eq!(late.first(), Some(&1));
    }

    #[test]
    fn equality_is_by_items_and_lists_have_their_own_ids() {
        let a: Shared<i32> = vec![1, 2].into();
        let b: Shared<i32> = [1, 2].into_iter().collect();
        assert_eq!(a, b);
        assert_ne!(a.list_id(), b.list_id());
        assert_ne!(a, Shared::from(vec![1]));
        assert_eq!(Shared::<i32>::default().len(), 0);
    }
}
