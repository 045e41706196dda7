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

    /// Appends the items of the next owner.
    pub fn push(&mut self, items: impl IntoIterator<Item = T>) {
        self.items.extend(items);
        self.starts.push(self.items.len() as u32);
    }
}
