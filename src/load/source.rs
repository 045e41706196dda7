//! Reading a CSV export: encoding and delimiter detection, records with their line numbers.

use std::path::Path;

use crate::error::{Error, Result};
use crate::model::FileStats;

pub use super::split::Record;
use super::split::Splitter;

/// A CSV file: its header, and its records streamed from disk on each pass (see
/// [`CsvTable::each`]), decoded to UTF-8 as they are read; a file is never held whole.
pub struct CsvTable {
    /// File name for messages.
    pub file: String,
    /// Header names, folded to lower case and trimmed.
    pub headers: Vec<String>,
    /// Where the records come from.
    source: Source,
    /// Detected delimiter.
    delimiter: u8,
    /// Size of the file as read, before decoding.
    file_bytes: u64,
    /// About the number of records, from the lines of the file's first megabyte (for sizing).
    records_hint: usize,
    /// Added to every record's line: a sheet's rows above its header row (see
    /// [`super::workbook`]).
    line_offset: u64,
    /// What the table was read from when not a CSV file (`XLSX`): shown in place of the
    /// encoding.
    format: Option<String>,
    /// Counts and detected format.
    pub stats: FileStats,
}

/// The bytes of a [`CsvTable`].
enum Source {
    File(std::path::PathBuf),
    Bytes(Vec<u8>),
}

/// What one pass over a file saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pass {
    /// Data records read.
    pub records: usize,
    /// The encoding the text was read in (`UTF-8` for a file of ASCII only).
    pub encoding: &'static str,
    /// Where the first byte that is not UTF-8 was, in a file read as UTF-8 (it and any later
    /// ones were replaced with U+FFFD).
    pub invalid_at: Option<u64>,
    /// The text was Windows-1251 shown as Latin-1 once (`Îòäåë` for `Отдел`) and was repaired.
    pub repaired: bool,
}

/// How many bytes the header and the encoding guess look at.
const HEAD_BYTES: u64 = 1 << 20;

/// How a file's bytes are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guess {
    /// UTF-8.
    Utf8,
    /// UTF-8 text that was Windows-1251 shown as Latin-1 once (`Îòäåë`): read back as Cyrillic.
    Utf8Latin1Repair,
    /// Windows-1251.
    Windows1251,
    /// KOI8-R.
    Koi8R,
}

impl Guess {
    /// The encoding's name as the run summary gives it.
    pub fn name(self) -> &'static str {
        match self {
            Guess::Utf8 => "UTF-8",
            Guess::Utf8Latin1Repair => "UTF-8 (repaired)",
            Guess::Windows1251 => "Windows-1251",
            Guess::Koi8R => "KOI8-R",
        }
    }

    fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            Guess::Utf8 | Guess::Utf8Latin1Repair => encoding_rs::UTF_8,
            Guess::Windows1251 => encoding_rs::WINDOWS_1251,
            Guess::Koi8R => encoding_rs::KOI8_R,
        }
    }
}

/// How Russian a text reads: the mean log-frequency of its Cyrillic letters (case folded), so
/// that text decoded in the wrong one-byte encoding (a permutation of the letters) scores low.
fn russian_score(text: &str) -> f64 {
    // Letter frequencies of Russian text, per 10,000 letters (а..я, then ё).
    const FREQ: [f64; 33] = [
        801.0, 159.0, 454.0, 170.0, 298.0, 845.0, 94.0, 165.0, 735.0, 121.0, 349.0, 440.0, 321.0,
        670.0, 1097.0, 281.0, 473.0, 547.0, 626.0, 262.0, 26.0, 97.0, 48.0, 144.0, 73.0, 36.0, 4.0,
        190.0, 174.0, 32.0, 64.0, 201.0, 4.0,
    ];
    let (mut sum, mut n) = (0.0, 0u32);
    for c in text.chars() {
        let i = match c {
            'а'..='я' => c as usize - 'а' as usize,
            'А'..='Я' => c as usize - 'А' as usize,
            'ё' | 'Ё' => 32,
            _ => continue,
        };
        sum += FREQ[i].ln();
        n += 1;
    }
    if n == 0 {
        f64::NEG_INFINITY
    } else {
        sum / f64::from(n)
    }
}

/// Guesses how to read a file from its first bytes: UTF-8 when they are (Latin-1 mojibake of
/// Windows-1251 repaired), else Windows-1251 or KOI8-R, whichever reads as Russian. `more`:
/// the bytes may stop inside a letter that continues after them.
pub fn guess(bytes: &[u8], more: bool) -> Guess {
    match std::str::from_utf8(bytes) {
        Ok(text) => utf8_guess(text),
        Err(e) if e.error_len().is_none() && more => {
            utf8_guess(std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default())
        }
        Err(_) => {
            let (cp1251, _, _) = encoding_rs::WINDOWS_1251.decode(bytes);
            let (koi8, _, _) = encoding_rs::KOI8_R.decode(bytes);
            if russian_score(&koi8) > russian_score(&cp1251) {
                Guess::Koi8R
            } else {
                Guess::Windows1251
            }
        }
    }
}

/// UTF-8 text whose letters above ASCII are mostly Latin-1 ones (`Î`, `ò`, `ä`) and which has
/// no Cyrillic is Windows-1251 that was shown as Latin-1 and saved.
fn utf8_guess(text: &str) -> Guess {
    let (mut latin, mut cyrillic) = (0usize, 0usize);
    for c in text.chars() {
        match c {
            '\u{c0}'..='\u{ff}' => latin += 1,
            '\u{400}'..='\u{4ff}' => cyrillic += 1,
            _ => {}
        }
    }
    // Repaired, it must read as Russian (a mean log-frequency of its letters near that of Russian
    // text, about 6; German or French letters repaired come out near 5).
    if latin >= 4 && cyrillic == 0 && russian_score(&repair_latin1(text)) > 5.5 {
        Guess::Utf8Latin1Repair
    } else {
        Guess::Utf8
    }
}

/// Windows-1251 letters that were shown as Latin-1 back as Cyrillic: `À`..`ÿ` -> `А`..`я`,
/// `¨` -> `Ё`, `¸` -> `ё` (each the same length in UTF-8, so it is done in place on bytes too:
/// see [`repair_latin1_bytes`]).
pub fn repair_latin1(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    repair_latin1_bytes(&mut bytes);
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned())
}

/// [`repair_latin1`] in place on UTF-8 bytes that end on a whole letter.
fn repair_latin1_bytes(b: &mut [u8]) {
    let mut i = 0;
    while i + 1 < b.len() {
        match (b[i], b[i + 1]) {
            // U+00C0..U+00FF -> U+0410..U+044F.
            (0xC3, x @ 0x80..=0xBF) => {
                let k = x - 0x80;
                (b[i], b[i + 1]) = if k < 0x30 {
                    (0xD0, 0x90 + k)
                } else {
                    (0xD1, 0x80 + (k - 0x30))
                };
                i += 2;
            }
            (0xC2, 0xA8) => {
                (b[i], b[i + 1]) = (0xD0, 0x81);
                i += 2;
            }
            (0xC2, 0xB8) => {
                (b[i], b[i + 1]) = (0xD1, 0x91);
                i += 2;
            }
            _ => i += 1,
        }
    }
}

/// Fails on a file that is not text: a ZIP archive (an `.xlsx` workbook is one) or bytes no text
/// has (NUL).
fn check_text(file: &str, head: &[u8]) -> Result<()> {
    let what = if head.starts_with(b"PK\x03\x04") {
        Some("a ZIP archive (an Excel .xlsx workbook is one): name it .xlsx, or save the sheet as CSV")
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Some("an old Excel (.xls) or Word file: name it .xls, or save the sheet as CSV")
    } else if head.iter().take(8192).any(|&b| b == 0) {
        Some("binary data, not text (or UTF-16 text: save it as UTF-8 or Windows-1251)")
    } else {
        None
    };
    match what {
        Some(w) => Err(Error::Unreadable {
            file: file.to_owned(),
            line: 1,
            reason: format!("not a CSV file: {w}"),
        }),
        None => Ok(()),
    }
}

/// Decodes bytes as `guess` reads them (a UTF-8 BOM stripped).
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    decode_owned(bytes.to_vec())
}

/// [`decode`] taking the buffer, so that valid UTF-8 is not copied.
pub fn decode_owned(mut bytes: Vec<u8>) -> (String, &'static str) {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    let g = guess(&bytes, false);
    if g == Guess::Utf8Latin1Repair {
        repair_latin1_bytes(&mut bytes);
    }
    // Both UTF-8 guesses were made on valid UTF-8 (the repair keeps it so): no copy.
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => g.encoding().decode(e.as_bytes()).0.into_owned(),
    };
    (text, g.name())
}

/// The name of a file for messages: its last component, else the whole path.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Picks the delimiter that occurs most in the first line outside quotes (`,` on a tie).
pub fn detect_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let (mut in_quotes, mut counts) = (false, [0usize; 3]);
    for c in first.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => counts[0] += 1,
            ';' if !in_quotes => counts[1] += 1,
            '\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let delims = [b',', b';', b'\t'];
    let best = (0..3)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        delims[best]
    }
}

impl CsvTable {
    /// Opens a file: reads its header now, its records on each pass.
    pub fn read(path: &Path) -> Result<CsvTable> {
        let file_bytes = std::fs::metadata(path)
            .map_err(|e| Error::io(path, e))?
            .len();
        let (mut t, head_lines, head_len) = Self::open_head(path)?;
        t.file_bytes = file_bytes;
        t.source = Source::File(path.to_path_buf());
        // The lines of the first megabyte stand for the rest (a margin for longer tails).
        let head = head_len.max(1);
        t.records_hint = if file_bytes <= head {
            head_lines
        } else {
            ((head_lines as f64) * (file_bytes as f64 / head as f64) * 1.05) as usize + 16
        };
        Ok(t)
    }

    /// Reads only the header of a file (its first line, within the first megabyte): for
    /// checking columns before any work is done.
    pub fn read_header(path: &Path) -> Result<CsvTable> {
        Self::open_head(path).map(|(t, _, _)| t)
    }

    /// The header's table, and the lines and bytes of the file's first megabyte.
    fn open_head(path: &Path) -> Result<(CsvTable, usize, u64)> {
        use std::io::Read;
        // Room for the whole head at once: growing it copies into fresh pages each time.
        let mut head = Vec::with_capacity(HEAD_BYTES as usize);
        std::fs::File::open(path)
            .and_then(|f| f.take(HEAD_BYTES).read_to_end(&mut head))
            .map_err(|e| Error::io(path, e))?;
        check_text(&file_name(path), &head)?;
        let head_lines = memchr::memchr_iter(b'\n', &head).count();
        let head_len = head.len() as u64;
        if let Some(end) = head.iter().position(|&b| b == b'\n') {
            head.truncate(end + 1);
        }
        // A cut inside a UTF-8 letter must not make the text look like Windows-1251.
        if let Err(e) = std::str::from_utf8(&head) {
            if e.error_len().is_none() {
                head.truncate(e.valid_up_to());
            }
        }
        let file = file_name(path);
        Ok((
            Self::from_head(&file, decode_owned(head))?,
            head_lines,
            head_len,
        ))
    }

    /// A table over file contents already in memory.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<CsvTable> {
        Self::parse_owned(file, bytes.to_vec())
    }

    /// [`CsvTable::parse`] over bytes it keeps.
    fn parse_owned(file: &str, bytes: Vec<u8>) -> Result<CsvTable> {
        check_text(file, &bytes[..bytes.len().min(1 << 16)])?;
        let head = bytes.split_inclusive(|&b| b == b'\n').next().unwrap_or(b"");
        let mut t = Self::from_head(file, decode(head))?;
        t.records_hint = memchr::memchr_iter(b'\n', &bytes).count();
        t.file_bytes = bytes.len() as u64;
        t.source = Source::Bytes(bytes);
        Ok(t)
    }

    /// The table of a file's header line: names, delimiter, and the encoding it shows.
    fn from_head(file: &str, (text, encoding): (String, &'static str)) -> Result<CsvTable> {
        let delimiter = detect_delimiter(&text);
        // The records' parser: a header reads as its first record would.
        let mut header = Record::default();
        Splitter::new(text.as_bytes(), delimiter)
            .read(&mut header)
            .map_err(|e| Error::Unreadable {
                file: file.to_owned(),
                line: 1,
                reason: e.to_string(),
            })?;
        let headers = header
            .iter()
            .map(|h| super::headers::fold(h.trim_start_matches('\u{feff}')))
            .collect();
        let stats = FileStats {
            file: file.to_owned(),
            encoding: encoding.to_owned(),
            delimiter: delimiter as char,
            ..FileStats::default()
        };
        Ok(CsvTable {
            file: file.to_owned(),
            headers,
            line_offset: 0,
            format: None,
            file_bytes: text.len() as u64,
            source: Source::Bytes(text.into_bytes()),
            delimiter,
            records_hint: 0,
            stats,
        })
    }

    /// A table over CSV text made from another format (see [`super::workbook`]): `format` names
    /// what it was read from, and `line_offset` is added to every line, so that messages give
    /// the source's own row numbers.
    pub fn converted(
        file: &str,
        text: String,
        format: String,
        line_offset: u64,
    ) -> Result<CsvTable> {
        let mut t = Self::parse_owned(file, text.into_bytes())?;
        t.format = Some(format);
        t.line_offset = line_offset;
        Ok(t)
    }

    /// Whether the table was made from another format (see [`CsvTable::converted`]): then it
    /// is in memory whole.
    pub fn is_converted(&self) -> bool {
        self.format.is_some()
    }

    /// What the table was read as: a workbook's format and sheet, or the encoding `pass` found.
    pub fn format_or(&self, pass: &Pass) -> String {
        self.format
            .clone()
            .unwrap_or_else(|| pass.encoding.to_owned())
    }

    /// About the number of records (exact for a file under a megabyte): for sizing buffers.
    pub fn records_hint(&self) -> usize {
        self.records_hint
    }

    /// Calls `f` with every data record and the 1-based line it starts on, reusing one record
    /// buffer; the file is read and decoded as the records are parsed.
    pub fn each(&self, f: impl FnMut(u64, &Record)) -> Result<Pass> {
        self.pass(false, f)
    }

    /// [`CsvTable::each`], advancing the progress bar by the bytes of the file read.
    pub fn each_counted(&self, f: impl FnMut(u64, &Record)) -> Result<Pass> {
        self.pass(true, f)
    }

    fn pass(&self, progress: bool, mut f: impl FnMut(u64, &Record)) -> Result<Pass> {
        let input: Box<dyn std::io::Read> = match &self.source {
            Source::File(path) => {
                Box::new(std::fs::File::open(path).map_err(|e| Error::io(path, e))?)
            }
            Source::Bytes(b) => Box::new(b.as_slice()),
        };
        let mut split = Splitter::new(Decoding::new(input, 1 << 16), self.delimiter);
        let mut rec = Record::default();
        let unreadable = |line: u64, e: std::io::Error| Error::Unreadable {
            file: self.file.clone(),
            line,
            reason: e.to_string(),
        };
        // The header, read already (see `from_head`).
        split.read(&mut rec).map_err(|e| unreadable(1, e))?;
        let (mut n, mut reported) = (0, 0u64);
        loop {
            match split.read(&mut rec) {
                Ok(None) => break,
                Ok(Some(line)) => {
                    n += 1;
                    f(line + self.line_offset, &rec);
                    let at = split.get_ref().consumed;
                    if progress && at - reported >= 1 << 22 {
                        crate::progress::inc(at - reported);
                        reported = at;
                    }
                }
                Err(e) => return Err(unreadable(split.line(), e)),
            }
        }
        let d = split.get_ref();
        if progress {
            crate::progress::inc(d.consumed.saturating_sub(reported));
        }
        Ok(Pass {
            records: n,
            encoding: d.encoding_name(),
            invalid_at: d.invalid_at,
            repaired: d.repairs(),
        })
    }

    /// Every data record with its line, collected (for small files).
    pub fn rows(&self) -> Result<Vec<(u64, Record)>> {
        let mut out = Vec::new();
        self.each(|line, rec| out.push((line, rec.clone())))?;
        Ok(out)
    }

    /// Index of a column by its documented name or one of its Russian headers (the first, if
    /// the header line names it twice).
    pub fn col(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| super::headers::names(h, name))
    }

    /// Fails with the first required column that the header lacks.
    pub fn require(&self, columns: &[&str]) -> Result<()> {
        match columns.iter().find(|c| self.col(c).is_none()) {
            Some(c) => Err(Error::MissingColumn {
                file: self.file.clone(),
                column: (*c).to_owned(),
            }),
            None => Ok(()),
        }
    }
}

/// Decodes a byte stream to UTF-8 as it is read. The encoding is decided at the first byte that
/// is not ASCII (ASCII reads the same in both): UTF-8 when the bytes from there (up to the
/// buffer's size) are UTF-8, Windows-1251 otherwise; a UTF-8 byte order mark is dropped.
/// Whatever it yields is valid UTF-8: a malformed sequence in a UTF-8 file becomes U+FFFD, and
/// where the first one was is kept.
struct Decoding<R> {
    inner: R,
    buf: Box<[u8]>,
    /// The unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    eof: bool,
    /// `None` while every byte so far was ASCII.
    decoder: Option<Decoder>,
    /// The decoder has been told the input ended.
    finished: bool,
    /// Bytes of the input consumed.
    consumed: u64,
    /// About where the first malformed byte was (the offset of the block that held it).
    invalid_at: Option<u64>,
    /// Decoded bytes a reader's too-small buffer could not take yet.
    pending: Vec<u8>,
    /// How the bytes are read, once the first byte that is not ASCII decided it.
    guess: Option<Guess>,
}

impl<R: std::io::Read> Decoding<R> {
    fn new(inner: R, capacity: usize) -> Self {
        Decoding {
            inner,
            buf: vec![0; capacity.max(16)].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            decoder: None,
            finished: false,
            consumed: 0,
            invalid_at: None,
            pending: Vec::new(),
            guess: None,
        }
    }

    /// The encoding's name as the run summary gives it (`UTF-8` for a file of ASCII only).
    fn encoding_name(&self) -> &'static str {
        self.guess.unwrap_or(Guess::Utf8).name()
    }

    /// The text is Windows-1251 shown as Latin-1, read back as Cyrillic.
    fn repairs(&self) -> bool {
        self.guess == Some(Guess::Utf8Latin1Repair)
    }

    /// Moves the unread bytes to the front and reads until the buffer is full or the input ends.
    fn fill(&mut self) -> std::io::Result<()> {
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if !self.eof {
            let (n, eof) = super::split::read_full(&mut self.inner, &mut self.buf[self.end..])?;
            self.end += n;
            self.eof = eof;
        }
        Ok(())
    }

    /// Picks the encoding at the first byte that is not ASCII, from the bytes that follow it.
    fn decide(&mut self) -> std::io::Result<()> {
        self.fill()?;
        let g = guess(&self.buf[self.start..self.end], !self.eof);
        self.guess = Some(g);
        self.decoder = Some(match OneByte::of(g) {
            Some(table) => Decoder::Table(table),
            None => Decoder::Utf8(encoding_rs::UTF_8.new_decoder_with_bom_removal()),
        });
        Ok(())
    }
}

impl<R: std::io::Read> std::io::Read for Decoding<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        // A letter takes up to four bytes: a smaller buffer is served from a small one of ours.
        if out.len() >= 4 && self.pending.is_empty() {
            return self.read_decoded(out);
        }
        if self.pending.is_empty() {
            let mut small = [0u8; 4];
            let n = self.read_decoded(&mut small)?;
            self.pending.extend_from_slice(&small[..n]);
        }
        let n = out.len().min(self.pending.len());
        out[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

impl<R: std::io::Read> Decoding<R> {
    /// [`std::io::Read::read`] into a buffer of four bytes or more.
    fn read_decoded(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.start == self.end && !self.eof {
                self.fill()?;
                continue;
            }
            let input = &self.buf[self.start..self.end];
            let Some(decoder) = &mut self.decoder else {
                if input.is_empty() {
                    return Ok(0);
                }
                let ascii = input
                    .iter()
                    .take(out.len())
                    .take_while(|b| b.is_ascii())
                    .count();
                if ascii > 0 || out.is_empty() {
                    out[..ascii].copy_from_slice(&input[..ascii]);
                    self.start += ascii;
                    self.consumed += ascii as u64;
                    return Ok(ascii);
                }
                self.decide()?;
                continue;
            };
            if self.finished {
                return Ok(0);
            }
            let (read, written, done) = match decoder {
                Decoder::Table(table) => {
                    let (read, written) = table.decode(input, out);
                    (read, written, self.eof && read == input.len())
                }
                Decoder::Utf8(d) => {
                    let (result, read, written, replaced) = d.decode_to_utf8(input, out, self.eof);
                    if self.guess == Some(Guess::Utf8Latin1Repair) {
                        repair_latin1_bytes(&mut out[..written]);
                    }
                    if replaced && self.invalid_at.is_none() {
                        self.invalid_at = Some(self.consumed);
                    }
                    let done = self.eof && result == encoding_rs::CoderResult::InputEmpty;
                    (read, written, done)
                }
            };
            self.start += read;
            self.consumed += read as u64;
            self.finished = done;
            if written > 0 || self.finished || out.is_empty() {
                return Ok(written);
            }
        }
    }
}

/// How a file's text is decoded once its encoding is decided.
enum Decoder {
    /// UTF-8 (checked, malformed sequences replaced, a byte order mark dropped).
    Utf8(encoding_rs::Decoder),
    /// A one-byte encoding, from its table: the files of an HR or registry export are mostly
    /// letters, each a lookup there.
    Table(&'static OneByte),
}

/// A one-byte encoding's upper half as UTF-8: each byte's letter, its length and bytes.
pub(super) struct OneByte([(u8, [u8; 3]); 128]);

impl OneByte {
    /// The table of `g`'s encoding when it is a one-byte one (Windows-1251, KOI8-R); built once.
    fn of(g: Guess) -> Option<&'static OneByte> {
        static WINDOWS_1251: std::sync::OnceLock<OneByte> = std::sync::OnceLock::new();
        static KOI8_R: std::sync::OnceLock<OneByte> = std::sync::OnceLock::new();
        let cell = match g {
            Guess::Windows1251 => &WINDOWS_1251,
            Guess::Koi8R => &KOI8_R,
            Guess::Utf8 | Guess::Utf8Latin1Repair => return None,
        };
        Some(cell.get_or_init(|| OneByte::build(g.encoding())))
    }

    fn build(encoding: &'static encoding_rs::Encoding) -> OneByte {
        let mut t = [(0u8, [0u8; 3]); 128];
        for (i, cell) in t.iter_mut().enumerate() {
            let byte = [0x80 + i as u8];
            let (letter, _) = encoding.decode_without_bom_handling(&byte);
            let b = letter.as_bytes();
            // Every byte of Windows-1251 and KOI8-R is one letter, of two or three bytes.
            assert!(
                b.len() <= 3,
                "{}: a letter of {} bytes",
                encoding.name(),
                b.len()
            );
            cell.0 = b.len() as u8;
            cell.1[..b.len()].copy_from_slice(b);
        }
        OneByte(t)
    }

    /// Decodes as much of `input` as `out` (four bytes or more) takes: bytes read, written.
    fn decode(&self, input: &[u8], out: &mut [u8]) -> (usize, usize) {
        let (mut r, mut w) = (0, 0);
        while r < input.len() && w + 3 <= out.len() {
            // Eight ASCII bytes at a time (digits, dates, delimiters), where they come in a run.
            if r + 8 <= input.len() && w + 8 <= out.len() {
                let mut eight = [0u8; 8];
                eight.copy_from_slice(&input[r..r + 8]);
                if u64::from_le_bytes(eight) & 0x8080_8080_8080_8080 == 0 {
                    out[w..w + 8].copy_from_slice(&eight);
                    r += 8;
                    w += 8;
                    continue;
                }
            }
            let b = input[r];
            if b < 0x80 {
                out[w] = b;
                w += 1;
            } else {
                let (n, bytes) = self.0[usize::from(b - 0x80)];
                out[w..w + 3].copy_from_slice(&bytes);
                w += usize::from(n);
            }
            r += 1;
        }
        (r, w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_byte_tables_decode_as_encoding_rs_does() {
        let mut rng = crate::rng::Rng::new(3, 0);
        let bytes: Vec<u8> = (0..20_000)
            .map(|i| match i % 3 {
                0 => rng.below(256) as u8,
                _ => b"0123456789;., abc"[rng.below(17)],
            })
            .chain(0..=255)
            .collect();
        for g in [Guess::Windows1251, Guess::Koi8R] {
            let table = OneByte::of(g).expect("a one-byte encoding");
            let want = g.encoding().decode_without_bom_handling(&bytes).0;
            // Any output size of four or more, as the reader asks.
            for size in [4, 5, 9, 64, 1 << 16] {
                let (mut got, mut at) = (Vec::new(), 0);
                let mut out = vec![0u8; size];
                while at < bytes.len() {
                    let (r, w) = table.decode(&bytes[at..], &mut out);
                    assert!(r > 0);
                    got.extend_from_slice(&out[..w]);
                    at += r;
                }
                assert_eq!(String::from_utf8(got).unwrap(), want, "{g:?} at {size}");
            }
        }
    }

    #[test]
    fn windows_1251_is_detected_and_decoded() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("ИНН;ФИО\n1;Иванов\n");
        let (text, enc) = decode(&bytes);
        assert_eq!(enc, "Windows-1251");
        assert!(text.contains("Иванов"));
    }

    fn fields(t: &CsvTable) -> Vec<String> {
        let mut v = Vec::new();
        t.each(|_, r| v.extend(r.iter().map(str::to_owned)))
            .unwrap();
        v
    }

    #[test]
    fn koi8_r_is_told_from_windows_1251() {
        let text = "Иванов Иван Иванович;отдел по общим вопросам\nПЕТРОВА ОЛЬГА СЕРГЕЕВНА;ЖЕНА\n";
        let (koi8, _, _) = encoding_rs::KOI8_R.encode(text);
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        assert_eq!(guess(&koi8, false), Guess::Koi8R);
        assert_eq!(guess(&cp1251, false), Guess::Windows1251);
        // Capitals only (registry names often are) tell as well.
        let (caps, _, _) = encoding_rs::KOI8_R.encode("ИВАНОВ ИВАН ИВАНОВИЧ");
        assert_eq!(guess(&caps, false), Guess::Koi8R);
        let mut file = b"a;b\n".to_vec();
        file.extend_from_slice(&koi8);
        let t = CsvTable::parse("x.csv", &file).unwrap();
        assert_eq!(fields(&t)[0], "Иванов Иван Иванович");
        assert_eq!(t.each(|_, _| {}).unwrap().encoding, "KOI8-R");
    }

    #[test]
    fn latin1_mojibake_of_windows_1251_is_repaired() {
        let seen = "Îòäåë ïî îáùèì âîïðîñàì;Ïåòðîâ Ô¸äîð";
        assert_eq!(guess(seen.as_bytes(), false), Guess::Utf8Latin1Repair);
        assert_eq!(repair_latin1(seen), "Отдел по общим вопросам;Петров Фёдор");
        let file = format!("a;b\n{seen}\n");
        let t = CsvTable::parse("x.csv", file.as_bytes()).unwrap();
        assert_eq!(fields(&t), ["Отдел по общим вопросам", "Петров Фёдор"]);
        let pass = t.each(|_, _| {}).unwrap();
        assert!(pass.repaired);
        assert_eq!(pass.encoding, "UTF-8 (repaired)");
        // Real Latin letters, or Cyrillic beside them, are left alone.
        assert_eq!(
            guess("Müller Café Straße Zoë".as_bytes(), false),
            Guess::Utf8
        );
        assert_eq!(
            guess("Петров, café à la crème".as_bytes(), false),
            Guess::Utf8
        );
    }

    #[test]
    fn files_that_are_not_text_are_refused() {
        for (bytes, says) in [
            (&b"PK\x03\x04\x14\x00\x06\x00"[..], "ZIP"),
            (&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1][..], ".xls"),
            (&b"a\x00,\x00b\x00"[..], "UTF-16"),
        ] {
            let err = CsvTable::parse("x.csv", bytes).err().expect("refused");
            assert!(err.to_string().contains(says), "{err}");
            assert!(err.to_string().contains("x.csv"), "{err}");
        }
    }

    #[test]
    fn bom_is_stripped() {
        let (text, enc) = decode("\u{feff}a,b".as_bytes());
        assert_eq!((text.as_str(), enc), ("a,b", "UTF-8"));
    }

    #[test]
    fn delimiter_is_detected_outside_quotes() {
        assert_eq!(detect_delimiter("a;b;c\n1;2;3"), b';');
        assert_eq!(detect_delimiter("\"a;b\",c,d\n"), b',');
        assert_eq!(detect_delimiter("a\tb\n"), b'\t');
        assert_eq!(detect_delimiter("single\n"), b',');
    }

    #[test]
    fn records_keep_their_lines() {
        let t = CsvTable::parse("x.csv", b"ID;Name\n1;\"two\nlines\"\n2;b\n").unwrap();
        assert_eq!(t.headers, vec!["id", "name"]);
        let rows = t.rows().unwrap();
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[1].0, 4);
        assert_eq!(rows.len(), 2);
        // Blank lines are skipped, and counted.
        for text in [
            &b"a,b\n1,2\n\n\n3,4\n\n5,\"x\ny\"\n6,7"[..],
            b"a,b\r\n1,2\r\n\r\n\r\n3,4\r\n\r\n5,\"x\r\ny\"\r\n6,7",
            b"a,b\n1,2\n\n\n3,4\n\n5,\"x\ny\"\n6,7\n",
        ] {
            let t = CsvTable::parse("x.csv", text).unwrap();
            let lines: Vec<u64> = t.rows().unwrap().iter().map(|r| r.0).collect();
            assert_eq!(lines, [2, 5, 7, 9], "{}", String::from_utf8_lossy(text));
        }
    }

    /// Everything a [`Decoding`] over `bytes` yields, read through a buffer of `capacity`.
    fn decoded(bytes: &[u8], capacity: usize) -> (String, &'static str, Option<u64>) {
        use std::io::Read;
        let mut d = Decoding::new(bytes, capacity);
        let mut out = Vec::new();
        // Small reads too, down to one byte, as a reader with a small buffer would make them.
        let mut chunk = [0u8; 7];
        let mut size = 1;
        loop {
            let n = d.read(&mut chunk[..size]).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&chunk[..n]);
            size = size % 7 + 1;
        }
        (
            String::from_utf8(out).unwrap(),
            d.encoding_name(),
            d.invalid_at,
        )
    }

    #[test]
    fn letters_cut_by_the_buffer_come_out_whole() {
        let text = "id;ФИО\n1;Иванов Пётр Ёжикович\n2;Ли Ян\n".repeat(50);
        for capacity in [16, 17, 64, 1 << 16] {
            let (out, enc, bad) = decoded(text.as_bytes(), capacity);
            assert_eq!((out.as_str(), enc, bad), (text.as_str(), "UTF-8", None));
        }
        let bom = format!("\u{feff}{text}");
        assert_eq!(decoded(bom.as_bytes(), 16).0, text);
    }

    #[test]
    fn windows_1251_is_told_by_its_first_letters_however_late() {
        // A megabyte of ASCII first: the encoding shows only where the letters start.
        let text = format!("{}1;Иванов\n", "0;x\n".repeat(300_000));
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&text);
        let (out, enc, bad) = decoded(&bytes, 1 << 16);
        assert_eq!(
            (out.as_str(), enc, bad),
            (text.as_str(), "Windows-1251", None)
        );
        let ascii = "a,b\n1,2\n";
        assert_eq!(
            decoded(ascii.as_bytes(), 16),
            (ascii.to_owned(), "UTF-8", None)
        );
    }

    #[test]
    fn a_stray_byte_in_a_utf8_file_is_replaced_and_located() {
        let head = "id;ФИО\n".to_owned() + &"1;Иванов\n".repeat(20_000);
        let mut bytes = head.clone().into_bytes();
        bytes.extend_from_slice(b"2;\xC8\n3;\xD0\x9B\xD0\xB8\n");
        let (out, enc, bad) = decoded(&bytes, 1 << 12);
        assert_eq!(enc, "UTF-8");
        assert_eq!(out, head.clone() + "2;\u{fffd}\n3;Ли\n");
        // Reported at the start of the block that held it.
        let (at, stray) = (
            bad.expect("the stray byte is reported"),
            head.len() as u64 + 2,
        );
        assert!(at <= stray && stray < at + (1 << 12), "{at} {stray}");
    }

    #[test]
    fn a_streamed_file_reports_its_encoding_and_records() {
        let dir = std::env::temp_dir().join(format!("affil-src-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("r.csv");
        let (bytes, _, _) =
            encoding_rs::WINDOWS_1251.encode("ИНН;ФИО\n1;Иванов\n2;\"Петров\nП.\"\n");
        std::fs::write(&path, &bytes).unwrap();
        let t = CsvTable::read(&path).unwrap();
        assert_eq!(t.headers, vec!["инн", "фио"]);
        let mut rows = Vec::new();
        let pass = t
            .each(|line, r| rows.push((line, r.get(1).unwrap().to_owned())))
            .unwrap();
        assert_eq!(pass.records, 2);
        assert_eq!(pass.encoding, "Windows-1251");
        assert_eq!(
            rows,
            vec![(2, "Иванов".to_owned()), (3, "Петров\nП.".to_owned())]
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
