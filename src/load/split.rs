//! CSV records out of a stream of UTF-8 text, each with the line it starts on.
//!
//! The records are exactly those of `csv_core` (RFC 4180 with `""` in quotes, `\r`, `\n` and
//! `\r\n` each ending a record, blank lines skipped, rows of any width): a line with no quote
//! and no stray `\r` (nearly every line of a registry export) is split at its delimiters
//! directly, and only the others go through `csv_core`'s parser, which would otherwise look at
//! every byte of every file one by one.

use std::io::Read;

/// One record: the bytes of its fields, one after another, and where each ends; or, for a line
/// split directly, the line as it stands and where each field's delimiter (or the line's end)
/// is (`gaps`: one byte between fields).
#[derive(Clone, Debug, Default)]
pub struct Record {
    data: Vec<u8>,
    ends: Vec<usize>,
    gaps: bool,
}

impl Record {
    /// Field `i`, if the record has it.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] + usize::from(self.gaps),
        };
        let b = &self.data[start..end];
        // The text comes out of `Decoding` valid UTF-8 and is split only at ASCII bytes
        // (delimiter, quote, line end), so every field is valid UTF-8 too; checked in debug
        // builds.
        debug_assert!(std::str::from_utf8(b).is_ok());
        // SAFETY: see above.
        Some(unsafe { std::str::from_utf8_unchecked(b) })
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
        self.gaps = false;
    }
}

/// Reads from `inner` until `buf` is full or the input ends: the bytes read, and whether it
/// ended.
pub(super) fn read_full(inner: &mut impl Read, buf: &mut [u8]) -> std::io::Result<(usize, bool)> {
    let mut n = 0;
    while n < buf.len() {
        match inner.read(&mut buf[n..]) {
            Ok(0) => return Ok((n, true)),
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((n, false))
}

/// Reads records out of UTF-8 text.
pub(super) struct Splitter<R> {
    inner: R,
    delimiter: u8,
    buf: Vec<u8>,
    /// The unread text is `buf[pos..len]`.
    pos: usize,
    len: usize,
    eof: bool,
    /// The line of `buf[pos]`, from 1: the `\n` before it, plus one.
    line: u64,
    /// For the records with a quote or a lone `\r`; its state carries over between them as
    /// it would if it had read every record.
    core: csv_core::Reader,
    at_start: bool,
}

/// Text read from the input at a time (grown for a longer record).
const CHUNK: usize = 1 << 18;

impl<R: Read> Splitter<R> {
    /// A splitter of `inner`'s text at `delimiter`.
    pub(super) fn new(inner: R, delimiter: u8) -> Self {
        Splitter {
            inner,
            delimiter,
            buf: vec![0; CHUNK],
            pos: 0,
            len: 0,
            eof: false,
            line: 1,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            at_start: true,
        }
    }

    /// The line the reader is at.
    pub(super) fn line(&self) -> u64 {
        self.line
    }

    /// The reader the text comes from.
    pub(super) fn get_ref(&self) -> &R {
        &self.inner
    }

    /// Moves the unread text to the front and reads more after it; the buffer doubles when
    /// the unread text fills it.
    fn refill(&mut self) -> std::io::Result<()> {
        self.buf.copy_within(self.pos..self.len, 0);
        self.len -= self.pos;
        self.pos = 0;
        if self.len == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        if !self.eof {
            let (n, eof) = read_full(&mut self.inner, &mut self.buf[self.len..])?;
            self.len += n;
            self.eof = eof;
        }
        Ok(())
    }

    /// Reads the next record into `rec`; returns the line it starts on, or `None` at the end.
    pub(super) fn read(&mut self, rec: &mut Record) -> std::io::Result<Option<u64>> {
        rec.clear();
        if self.at_start {
            self.at_start = false;
            while self.len < 3 && !self.eof {
                self.refill()?;
            }
            // As `csv_core` does: a byte order mark at the very start is not text.
            if self.buf[..self.len].starts_with(b"\xef\xbb\xbf") {
                self.pos = 3;
            }
        }
        loop {
            // Line ends before a record are blank lines (or the `\n` of a `\r\n`): skipped.
            while self.pos < self.len && matches!(self.buf[self.pos], b'\n' | b'\r') {
                self.line += u64::from(self.buf[self.pos] == b'\n');
                self.pos += 1;
            }
            if self.pos == self.len {
                if self.eof {
                    return Ok(None);
                }
                self.refill()?;
                continue;
            }
            let rest = &self.buf[self.pos..self.len];
            let (content, next) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], self.pos + i + 1),
                None if !self.eof => {
                    self.refill()?;
                    continue;
                }
                None => (rest, self.len),
            };
            let content = content.strip_suffix(b"\r").unwrap_or(content);
            if memchr::memchr2(b'"', b'\r', content).is_some() {
                return self.read_quoted(rec).map(Some);
            }
            let (line, delimiter) = (self.line, self.delimiter);
            // The line copied once, its delimiters left in place.
            rec.data.extend_from_slice(content);
            rec.ends.extend(memchr::memchr_iter(delimiter, content));
            rec.ends.push(content.len());
            rec.gaps = true;
            // `next` is past a line end, or the end of the text.
            self.line += u64::from(self.buf[next - 1] == b'\n');
            self.pos = next;
            return Ok(Some(line));
        }
    }

    /// A record `csv_core` reads (it has a quote or a lone `\r`), from `buf[pos]`.
    fn read_quoted(&mut self, rec: &mut Record) -> std::io::Result<u64> {
        use csv_core::ReadRecordResult as R;
        let line = self.line;
        // Room to write into (grown below when short); one long record earlier does not make
        // every later one clear its whole buffer.
        rec.data.resize(rec.data.capacity().clamp(256, 1 << 16), 0);
        rec.ends.resize(rec.ends.capacity().clamp(16, 1 << 12), 0);
        let (mut out, mut nends) = (0, 0);
        loop {
            let input = &self.buf[self.pos..self.len];
            let (res, nin, nout, nend) =
                self.core
                    .read_record(input, &mut rec.data[out..], &mut rec.ends[nends..]);
            self.line += memchr::memchr_iter(b'\n', &input[..nin]).count() as u64;
            self.pos += nin;
            out += nout;
            nends += nend;
            match res {
                R::InputEmpty if !self.eof => self.refill()?,
                // The end of the text: an empty input tells the parser so.
                R::InputEmpty => {}
                R::OutputFull => rec.data.resize(rec.data.len() * 2, 0),
                R::OutputEndsFull => rec.ends.resize(rec.ends.len() * 2, 0),
                R::Record | R::End => break,
            }
        }
        rec.data.truncate(out);
        rec.ends.truncate(nends);
        Ok(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `text` with its line, by this splitter.
    fn split(text: &str, delimiter: u8, chunk: usize) -> Vec<(u64, Vec<String>)> {
        let mut s = Splitter::new(text.as_bytes(), delimiter);
        s.buf = vec![0; chunk];
        let mut rec = Record::default();
        let mut out = Vec::new();
        while let Some(line) = s.read(&mut rec).unwrap() {
            out.push((line, rec.iter().map(str::to_owned).collect()));
        }
        out
    }

    /// The same by the `csv` crate (fields only).
    fn by_csv(text: &str, delimiter: u8) -> Vec<Vec<String>> {
        let mut r = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        r.byte_records()
            .map(|rec| {
                rec.unwrap()
                    .iter()
                    .map(|f| String::from_utf8(f.to_vec()).unwrap())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn records_are_the_csv_parsers_with_their_lines() {
        let texts = [
            "a;b;c\n1;2;3\n",
            "a;b\r\n1;2\r\n\r\n3;4",
            "a;b\n\n\n1;\"x\ny\";z\n2;3\n",
            "a;\"q\"\"uote\";b\rc;d\n",
            "\u{feff}a;b\n;\n;;\n",
            "a;b\n\"unclosed;x\ny\n",
            "\n\na\n\"\"\nb\"c\";d\n",
            "a,b;c\n",
            "",
            "\r\n",
            "x;\"a\r\nb\"\r\ny;z\r\n",
            "a;b\r\r\nc\n",
        ];
        for text in texts {
            for chunk in [1, 2, 3, 7, 64] {
                let got = split(text, b';', chunk);
                let fields: Vec<Vec<String>> = got.iter().map(|g| g.1.clone()).collect();
                assert_eq!(fields, by_csv(text, b';'), "{text:?} at chunk {chunk}");
            }
        }
        let lines = |text: &str| -> Vec<u64> { split(text, b';', 5).iter().map(|g| g.0).collect() };
        assert_eq!(lines("a;b\n1;2\n3;4\n"), [1, 2, 3]);
        assert_eq!(lines("a;b\r\n\r\n1;2\r\n3;4"), [1, 3, 4]);
        assert_eq!(lines("h\n\"x\ny\";1\n\n2\n"), [1, 2, 5]);
        assert_eq!(lines("h\n\n2"), [1, 3]);
    }

    proptest::proptest! {
        /// On any text of the bytes that matter (delimiter, quote, line ends, letters), at any
        /// buffer size: the `csv` crate's records.
        #[test]
        fn any_text_splits_as_the_csv_crate_splits_it(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'\xd0', b';', b'"', b'\r', b'\n', b' ']),
                0..60,
            ),
            chunk in 1usize..9,
        ) {
            // A lone lead byte stands for a Cyrillic letter: replaced by a whole one.
            let text = String::from_utf8_lossy(&bytes).replace('\u{fffd}', "ж");
            let fields: Vec<Vec<String>> = split(&text, b';', chunk).into_iter().map(|g| g.1).collect();
            proptest::prop_assert_eq!(fields, by_csv(&text, b';'));
        }
    }
}
