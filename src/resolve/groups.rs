//! [`Groups`]: lists of items per owner, stored flat.

/// Lists of items for each of `len()` owners, stored flat (offsets into one vector): millions
/// of small `Vec`s would each cost a header and an allocation.
#[derive(Clone, Debug)]
pub struct Groups<T> {
    /// Start of each owner's items in `items`, and the end of the last.
    starts: Vec<u32>,
    /// Every owner's items, owner after owner.
    items: Vec<T>,
}

impl<T> Default for Groups<T> {
    fn default() -> Self {
        Groups {
            starts: vec![0],
            items: Vec::new(),
        }
    }
}

impl<T> Groups<T> {
    /// No owners yet, with room for `owners` owners and `items` items in all.
    pub fn with_capacity(owners: usize, items: usize) -> Self {
        let mut starts = Vec::with_capacity(owners + 1);
        starts.push(0);
        Groups {
            starts,
            items: Vec::with_capacity(items),
        }
    }

    /// Number of owners.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// True when there are no owners.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items of owner `i`.
    pub fn of(&self, i: usize) -> &[T] {
        &self.items[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    /// Every item, owner after owner.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// Items grouped by owner (`owners` of them), each owner's in the order given: `owned`
    /// yields each item with its owner. Two passes (count, then place), no sort.
    pub fn by_owner<I>(owners: usize, owned: impl Fn() -> I) -> Self
    where
        I: Iterator<Item = (u32, T)>,
        T: Copy + Default,
    {
        let mut starts = vec![0u32; owners + 1];
        for (owner, _) in owned() {
            starts[owner as usize + 1] += 1;
        }
        for i in 0..owners {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut items = vec![T::default(); starts[owners] as usize];
        for (owner, item) in owned() {
            let at = &mut next[owner as usize];
            items[*at as usize] = item;
            *at += 1;
        }
        Groups { starts, items }
    }

    /// The items of owners `0..owners`, each owner's written by `fill(owner, &mut list)` onto
    /// the end of a list; owners are filled in parallel, a block at a time, and each block's
    /// items joined into the flat list as soon as it is copied (a `Vec` per owner first held
    /// the items twice, and a header and an allocation per owner).
    pub fn par_fill(owners: usize, fill: impl Fn(usize, &mut Vec<T>) + Sync) -> Self
    where
        T: Send,
    {
        use rayon::prelude::*;
        const BLOCK: usize = 1 << 14;
        let blocks: Vec<(Vec<T>, Vec<u32>)> = (0..owners.div_ceil(BLOCK))
            .into_par_iter()
            .map(|b| {
                let (mut items, mut ends) = (Vec::new(), Vec::new());
                for owner in b * BLOCK..((b + 1) * BLOCK).min(owners) {
                    fill(owner, &mut items);
                    ends.push(items.len() as u32);
                }
                items.shrink_to_fit();
                (items, ends)
            })
            .collect();
        let total = blocks.iter().map(|b| b.0.len()).sum();
        let mut g = Groups::with_capacity(owners, total);
        for (items, ends) in blocks {
            let base = g.items.len() as u32;
            g.starts.extend(ends.iter().map(|e| base + e));
            g.items.extend(items);
        }
        g
    }

    /// Appends the items of the next owner.
    pub fn push(&mut self, items: impl IntoIterator<Item = T>) {
        self.items.extend(items);
        self.starts.push(self.items.len() as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_owner_groups_items_keeping_their_order_within_an_owner() {
        let owned = [(2u32, 'a'), (0, 'b'), (2, 'c'), (0, 'd'), (2, 'e')];
        let g = Groups::by_owner(4, || owned.iter().copied());
        assert_eq!(g.len(), 4);
        assert_eq!(g.of(0), &['b', 'd']);
        assert_eq!(g.of(1), &[] as &[char]);
        assert_eq!(g.of(2), &['a', 'c', 'e']);
        assert_eq!(g.of(3), &[] as &[char]);
    }

    #[test]
    fn par_fill_lists_each_owners_items_in_order_across_blocks() {
        // Owners past one block (2^14), some with no items.
        let n = 40_000;
        let g = Groups::par_fill(n, |o, list| list.extend((0..o % 3).map(|k| o * 10 + k)));
        assert_eq!(g.len(), n);
        for o in [0, 1, 2, 16_383, 16_384, 16_385, 39_999] {
            let want: Vec<usize> = (0..o % 3).map(|k| o * 10 + k).collect();
            assert_eq!(g.of(o), want.as_slice(), "owner {o}");
        }
        assert_eq!(g.items().len(), (0..n).map(|o| o % 3).sum::<usize>());
    }
}
