//! Interned strings: one copy of each distinct text, a four-byte handle ([`Sym`]).
//!
//! Name parts, customer and company names repeat tens of millions of times at national scale,
//! and a parsed name holds four of them: a handle of four bytes rather than a pointer of eight
//! takes 16 bytes off each of 23 million mentions. The texts live in one arena of chunks that
//! never move nor are freed (a handle is `Copy` and `'static`); each text has a header with
//! its length and hash, so that hashing a handle reads one word next to its text and never the
//! text itself.

use std::hash::{Hash, Hasher};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Mutex;

/// An interned text: equal texts have equal handles. Compared for equality by handle, ordered
/// by text, hashed by the text's hash (so that hash maps keyed by it iterate alike in every
/// run, whatever order the threads interned the texts in).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sym(NonZeroU32);

/// A handle is the chunk (top bits) and the offset in it, in units of [`UNIT`] bytes.
const OFFSET_BITS: u32 = 22;
/// Entries start at multiples of this many bytes (the header's alignment).
const UNIT: usize = 4;
/// A chunk's size: 16 MiB.
const CHUNK: usize = UNIT << OFFSET_BITS;
/// Chunks there may be: the handle's remaining bits (1,024 chunks, 16 GiB of texts).
const CHUNKS: usize = 1 << (32 - OFFSET_BITS);
/// A text's header: its length, then its hash (two `u32`).
const HEADER: usize = 8;

/// Chunk 0 holds only the empty text (handle 1, [`Sym::default`]), so that it needs no table.
#[repr(C, align(4))]
struct EmptyChunk([u8; 12]);
/// Four bytes unused (no handle is 0), then the empty text's header: length 0, hash 0.
static EMPTY_CHUNK: EmptyChunk = EmptyChunk([0; 12]);
/// The handle of the empty text.
const EMPTY: Sym = Sym(NonZeroU32::MIN);

/// Where each chunk starts; chunk 0 is [`EMPTY_CHUNK`]. A chunk's pointer is stored before any
/// handle into it is given out.
static DIRECTORY: [AtomicPtr<u8>; CHUNKS] = {
    let mut d = [const { AtomicPtr::new(std::ptr::null_mut()) }; CHUNKS];
    d[0] = AtomicPtr::new(EMPTY_CHUNK.0.as_ptr().cast_mut());
    d
};

/// The arena's end: the chunk being filled and the next free offset in it, in bytes.
struct Arena {
    chunk: usize,
    used: usize,
}

/// Texts are appended under this lock (held for one copy).
static ARENA: Mutex<Arena> = Mutex::new(Arena {
    chunk: 0,
    used: CHUNK,
});

/// The table of interned texts is split in this many shards by hash, each under its own lock,
/// so that threads interning at once seldom wait for each other.
const SHARDS: usize = 64;

/// One shard of the table: handles, found by their texts' hashes.
type Shard = Mutex<hashbrown::HashTable<Sym>>;

static TABLE: [Shard; SHARDS] = [const { Mutex::new(hashbrown::HashTable::new()) }; SHARDS];

/// The hash a text is filed and hashed under (FxHash of its bytes, folded to 32 bits).
fn text_hash(s: &str) -> u32 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(s.as_bytes());
    let h = h.finish();
    (h ^ (h >> 32)) as u32
}

/// The table's hash from a text's 32-bit hash: spread over 64 bits, since the table reads its
/// top bits (the tags it filters by) and its bottom bits (the bucket).
fn table_hash(h: u32) -> u64 {
    u64::from(h).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The shard of a text's 32-bit hash: bits the table's bucket and tag bits do not depend on
/// alone.
fn shard_of(h: u32) -> usize {
    (h >> 26) as usize % SHARDS
}

impl Sym {
    /// Interns `s`: its handle, the same for every equal text.
    pub fn from(s: &str) -> Sym {
        if s.is_empty() {
            return EMPTY;
        }
        let h = text_hash(s);
        let th = table_hash(h);
        let mut shard = TABLE[shard_of(h)].lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&found) = shard.find(th, |&k| k.as_str() == s) {
            return found;
        }
        let sym = append(s, h);
        shard.insert_unique(th, sym, |k| table_hash(k.header().1));
        sym
    }

    /// Where the entry starts: its header, then its text.
    fn entry(self) -> *const u8 {
        let id = self.0.get();
        let chunk = DIRECTORY[(id >> OFFSET_BITS) as usize].load(Ordering::Acquire);
        let offset = (id & ((1 << OFFSET_BITS) - 1)) as usize * UNIT;
        // SAFETY: a handle is only made (in `append`, or `EMPTY`) for an entry written whole at
        // this offset of this chunk, whose pointer was stored before the handle was given out.
        unsafe { chunk.add(offset) }
    }

    /// The header: length and hash.
    fn header(self) -> (u32, u32) {
        let p = self.entry().cast::<u32>();
        // SAFETY: an entry starts at a multiple of 4 bytes of a chunk aligned to 4 (see
        // `append`) with two `u32`: its length and its hash.
        unsafe { (p.read(), p.add(1).read()) }
    }

    /// The text.
    pub fn as_str(self) -> &'static str {
        let p = self.entry();
        // SAFETY: the entry holds its length, then that many bytes of UTF-8 copied from a
        // `&str` (see `append`), in a chunk that is never freed nor written again.
        unsafe {
            let len = p.cast::<u32>().read() as usize;
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(p.add(HEADER), len))
        }
    }

    /// The text's 32-bit hash, as a `u64` (what [`Hash`] feeds the hasher).
    pub fn precomputed_hash(self) -> u64 {
        u64::from(self.header().1)
    }

    /// The handle as a number: equal for equal texts in one run, not from run to run.
    pub fn id(self) -> u32 {
        self.0.get()
    }
}

/// Copies `s` (of hash `h`) to the arena's end: its handle.
fn append(s: &str, h: u32) -> Sym {
    let len = u32::try_from(s.len()).expect("an interned text under 4 GiB");
    let need = (HEADER + s.len()).next_multiple_of(UNIT);
    let mut arena = ARENA.lock().unwrap_or_else(|e| e.into_inner());
    if arena.used + need > CHUNK {
        // A new chunk, at least as large as the entry; its first unit unused, so that no
        // handle is 0.
        let next = arena.chunk + 1;
        assert!(
            next < CHUNKS,
            "more than 16 GiB of distinct texts to intern"
        );
        let size = CHUNK.max(UNIT + need);
        let layout = std::alloc::Layout::from_size_align(size, UNIT).expect("a valid layout");
        // SAFETY: the layout's size is not zero.
        let p = unsafe { std::alloc::alloc(layout) };
        if p.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        DIRECTORY[next].store(p, Ordering::Release);
        arena.chunk = next;
        arena.used = UNIT;
    }
    let p = DIRECTORY[arena.chunk].load(Ordering::Acquire);
    // SAFETY: the chunk has `need` bytes free from `used` (checked above: a chunk made for a
    // larger entry is that entry's alone, `used` then past `CHUNK`); `used` is a multiple of
    // `UNIT`, so the two `u32` of the header are aligned.
    unsafe {
        let at = p.add(arena.used);
        at.cast::<u32>().write(len);
        at.cast::<u32>().add(1).write(h);
        std::ptr::copy_nonoverlapping(s.as_ptr(), at.add(HEADER), s.len());
    }
    let id = ((arena.chunk as u32) << OFFSET_BITS) | (arena.used / UNIT) as u32;
    arena.used += need;
    Sym(NonZeroU32::new(id).expect("offsets start at one unit"))
}

impl Default for Sym {
    /// The empty text.
    fn default() -> Sym {
        EMPTY
    }
}

impl std::ops::Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Sym {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Hash for Sym {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.precomputed_hash());
    }
}

impl Ord for Sym {
    fn cmp(&self, other: &Sym) -> std::cmp::Ordering {
        if self == other {
            return std::cmp::Ordering::Equal;
        }
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Sym {
    fn partial_cmp(&self, other: &Sym) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<str> for Sym {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Sym {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for Sym {
    fn from(s: &str) -> Sym {
        Sym::from(s)
    }
}

impl From<Sym> for &'static str {
    fn from(s: Sym) -> &'static str {
        s.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_a_handle_and_read_back() {
        let words = ["Иванов", "ivanov", "", "a", "Петрова-Водкина", "ivanov"];
        let syms: Vec<Sym> = words.iter().map(|w| Sym::from(w)).collect();
        for (w, s) in words.iter().zip(&syms) {
            assert_eq!(s.as_str(), *w);
            assert_eq!(Sym::from(w), *s);
        }
        assert_eq!(syms[1], syms[5]);
        assert_ne!(syms[0], syms[1]);
        assert_eq!(syms[2], Sym::default());
        assert_eq!(std::mem::size_of::<Sym>(), 4);
        assert_eq!(std::mem::size_of::<Option<Sym>>(), 4);
    }

    #[test]
    fn handles_order_and_hash_by_text() {
        let (b, a) = (Sym::from("zz-order-b"), Sym::from("zz-order-a"));
        assert!(a < b);
        assert_eq!(a.cmp(&a), std::cmp::Ordering::Equal);
        assert_eq!(a.precomputed_hash(), u64::from(text_hash("zz-order-a")));
        assert_eq!(Sym::default().precomputed_hash(), 0);
    }

    #[test]
    fn texts_from_many_threads_past_a_chunk_intern_once() {
        // 8 threads, overlapping texts (34,000 distinct, about 34 MB: more than two chunks);
        // and one text larger than a chunk.
        let text = |n: usize| format!("{n}-{}", "x".repeat(n % 2_000));
        let big = "ж".repeat(CHUNK);
        let per: Vec<Vec<(usize, Sym)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|t| {
                    scope.spawn(move || {
                        (t * 2_000..t * 2_000 + 20_000)
                            .map(|n| (n, Sym::from(&text(n))))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let huge = Sym::from(&big);
        assert_eq!(huge.as_str(), big);
        let mut by_text = std::collections::HashMap::new();
        for (n, sym) in per.into_iter().flatten() {
            assert_eq!(sym.as_str(), text(n));
            assert_eq!(*by_text.entry(n).or_insert(sym), sym);
        }
        assert_eq!(Sym::from(&big), huge);
        // What the test is for: the threads' texts filled more than one chunk.
        let chunks: std::collections::HashSet<u32> =
            by_text.values().map(|s| s.id() >> OFFSET_BITS).collect();
        assert!(chunks.len() >= 3, "{} chunks", chunks.len());
    }
}
