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

    /// Index in [`Groups::item`] of the first item of owner `i`.
    pub fn first_index(&self, i: usize) -> u32 {
        self.starts[i]
    }

    /// Every item, owner after owner.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// One item by its flat index.
    pub fn item(&self, index: u32) -> &T {
        &self.items[index as usize]
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
        assert_eq!(g.first_index(2), 2);
    }
}
