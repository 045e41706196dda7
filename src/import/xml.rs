//! A streaming walk over one XML document: elements by namespace URI and local name (never by
//! prefix, which changes from file to file), attribute lookup, leaf text, and the element path
//! with sibling positions (`.../application[3]/appParticipant/inn`) for warnings. Memory stays
//! that of the open elements, whatever the document's size; the declared encoding
//! (Windows-1251 in the tax service's files) is honoured.

use std::cell::RefCell;
use std::hash::{BuildHasher, BuildHasherDefault};
use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use rustc_hash::{FxHashMap, FxHasher};

/// The namespace families the importers tell apart. The ЕИС namespaces are
/// `http://zakupki.gov.ru/oos/<family>/1`; the tax service's files have none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ns {
    /// No namespace.
    None,
    /// A `http://zakupki.gov.ru/oos/...` namespace (export, types, EPtypes, common, base, ...).
    Eis,
    /// Any other namespace (signatures, schema instances): never matched.
    Other,
}

fn classify(r: &ResolveResult<'_>) -> Ns {
    match r {
        ResolveResult::Unbound => Ns::None,
        ResolveResult::Bound(ns) if ns.as_ref().starts_with(b"http://zakupki.gov.ru/oos/") => {
            Ns::Eis
        }
        _ => Ns::Other,
    }
}

struct Frame {
    ns: Ns,
    /// Byte range of the local name in `Path::names`.
    start: usize,
    end: usize,
    /// 1-based position among the parent's children of the same name.
    index: u32,
    /// (hash of a child's local name, how many so far): the sibling positions.
    children: Vec<(u64, u32)>,
}

/// The open elements, root first.
pub struct Path {
    names: String,
    frames: Vec<Frame>,
    depth: usize,
}

impl Path {
    fn new() -> Self {
        Path {
            names: String::new(),
            frames: Vec::new(),
            depth: 0,
        }
    }

    /// How many elements are open.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Local name of the element at `level` (0 = root).
    pub fn local(&self, level: usize) -> &str {
        let f = &self.frames[level];
        &self.names[f.start..f.end]
    }

    /// Namespace family of the element at `level`.
    pub fn ns(&self, level: usize) -> Ns {
        self.frames[level].ns
    }

    /// Local name of the innermost open element.
    pub fn last(&self) -> &str {
        self.local(self.depth - 1)
    }

    /// Local name of the element `up` levels above the innermost (0 = innermost), if any.
    pub fn up(&self, up: usize) -> Option<&str> {
        (up < self.depth).then(|| self.local(self.depth - 1 - up))
    }

    /// The innermost level whose element is named `name` (in `ns`), if one is open.
    pub fn find(&self, ns: Ns, name: &str) -> Option<usize> {
        (0..self.depth)
            .rev()
            .find(|&l| self.ns(l) == ns && self.local(l) == name)
    }

    /// The path for people, with positions where an element has same-named siblings before
    /// it: `/export/fcsProtocolEF3/protocolLot/applications/application[3]/journalNumber`.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for l in 0..self.depth {
            s.push('/');
            s.push_str(self.local(l));
            let i = self.frames[l].index;
            if i > 1 {
                s.push_str(&format!("[{i}]"));
            }
        }
        s
    }

    /// Opens an element whose local name is `raw` in the document's `encoding`, decoded
    /// straight into the name buffer (no allocation per element).
    fn push(&mut self, ns: Ns, raw: &[u8], encoding: &'static encoding_rs::Encoding) {
        let hash = BuildHasherDefault::<FxHasher>::default().hash_one(raw);
        let index = match self.depth.checked_sub(1) {
            None => 1,
            Some(p) => {
                let siblings = &mut self.frames[p].children;
                match siblings.iter_mut().find(|(h, _)| *h == hash) {
                    Some((_, n)) => {
                        *n += 1;
                        *n
                    }
                    None => {
                        siblings.push((hash, 1));
                        1
                    }
                }
            }
        };
        let start = self.names.len();
        if encoding == encoding_rs::UTF_8 {
            self.names.push_str(&String::from_utf8_lossy(raw));
        } else {
            let mut d = encoding.new_decoder_without_bom_handling();
            self.names
                .reserve(d.max_utf8_buffer_length(raw.len()).unwrap_or(raw.len() * 3));
            let _ = d.decode_to_string(raw, &mut self.names, true);
        }
        let frame = Frame {
            ns,
            start,
            end: self.names.len(),
            index,
            children: Vec::new(),
        };
        // Frames are kept when elements close, so their sibling lists are reused.
        if self.depth < self.frames.len() {
            let f = &mut self.frames[self.depth];
            f.ns = frame.ns;
            f.start = frame.start;
            f.end = frame.end;
            f.index = frame.index;
            f.children.clear();
        } else {
            self.frames.push(frame);
        }
        self.depth += 1;
    }

    fn pop(&mut self) {
        self.depth -= 1;
        self.names.truncate(self.frames[self.depth].start);
    }
}

/// Attribute names in the document's encoding, each encoded once (the register's names are
/// Cyrillic; encoding one into Windows-1251 costs more than looking it up).
#[derive(Default)]
struct Keys(RefCell<FxHashMap<Box<str>, Box<[u8]>>>);

/// The attributes of an element being opened, decoded on demand.
pub struct Attrs<'a> {
    start: &'a BytesStart<'a>,
    decoder: quick_xml::encoding::Decoder,
    keys: &'a Keys,
}

impl Attrs<'_> {
    /// The value of the attribute with local name `name`, trimmed; `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<String> {
        let encoding = self.decoder.encoding();
        let mut keys = self.keys.0.borrow_mut();
        let name: &[u8] = if encoding == encoding_rs::UTF_8 {
            name.as_bytes()
        } else {
            if !keys.contains_key(name) {
                let raw = encoding.encode(name).0.into_owned().into_boxed_slice();
                keys.insert(name.into(), raw);
            }
            &keys[name]
        };
        for a in self.start.attributes().with_checks(false).flatten() {
            if a.key.local_name().as_ref() == name {
                let v = a.decode_and_unescape_value(self.decoder).ok()?;
                let v = v.trim();
                return (!v.is_empty()).then(|| v.to_owned());
            }
        }
        None
    }
}

/// What a walk calls back.
pub trait Visitor {
    /// An element opened; `at` ends with it.
    fn open(&mut self, at: &Path, attrs: &Attrs<'_>);
    /// An element closed; `at` still ends with it; `text` is its own text, trimmed.
    fn close(&mut self, at: &Path, text: &str);
}

/// Why a document could not be read to its end.
#[derive(Debug)]
pub struct Broken {
    /// What went wrong, for people.
    pub reason: String,
    /// Byte offset in the document where reading stopped.
    pub at: u64,
}

/// Whether a walk resolves namespaces: the procurement system's documents need it; the
/// register's have none, and reading them without resolution is twice as fast.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Namespaces {
    /// Elements are told apart by namespace URI.
    Resolved,
    /// Every element is in [`Ns::None`].
    Ignored,
}

enum Reader<R> {
    Resolved(NsReader<R>),
    Ignored(quick_xml::Reader<R>),
}

impl<R: BufRead> Reader<R> {
    fn next<'b>(&mut self, buf: &'b mut Vec<u8>) -> quick_xml::Result<(Ns, Event<'b>)> {
        match self {
            Reader::Resolved(r) => r
                .read_resolved_event_into(buf)
                .map(|(ns, e)| (classify(&ns), e)),
            Reader::Ignored(r) => r.read_event_into(buf).map(|e| (Ns::None, e)),
        }
    }

    fn decoder(&self) -> quick_xml::encoding::Decoder {
        match self {
            Reader::Resolved(r) => r.decoder(),
            Reader::Ignored(r) => r.decoder(),
        }
    }

    /// Where reading stopped: the reader's own errors know their place; the walk's own
    /// findings (an unclosed element at the end) are where the reader got to.
    fn position(&self) -> u64 {
        match self {
            Reader::Resolved(r) => r.error_position().max(r.buffer_position()),
            Reader::Ignored(r) => r.error_position().max(r.buffer_position()),
        }
    }
}

/// Walks one document from `input`, calling `v` for each element. Stops at the first
/// malformation, after calling `v` for everything before it.
pub fn walk(
    input: impl BufRead,
    namespaces: Namespaces,
    v: &mut impl Visitor,
) -> Result<(), Broken> {
    let mut reader = match namespaces {
        Namespaces::Resolved => {
            let mut r = NsReader::from_reader(input);
            r.config_mut().expand_empty_elements = true;
            Reader::Resolved(r)
        }
        Namespaces::Ignored => {
            let mut r = quick_xml::Reader::from_reader(input);
            r.config_mut().expand_empty_elements = true;
            Reader::Ignored(r)
        }
    };
    let mut buf = Vec::new();
    let mut path = Path::new();
    let mut text = String::new();
    let keys = Keys::default();
    let broken = |reader: &Reader<_>, reason: String| Broken {
        reason,
        at: reader.position(),
    };
    loop {
        buf.clear();
        let (ns, event) = match reader.next(&mut buf) {
            Ok(e) => e,
            Err(e) => return Err(broken(&reader, e.to_string())),
        };
        let decoder = reader.decoder();
        match event {
            Event::Start(e) => {
                let local = e.local_name();
                path.push(ns, local.as_ref(), decoder.encoding());
                text.clear();
                v.open(
                    &path,
                    &Attrs {
                        start: &e,
                        decoder,
                        keys: &keys,
                    },
                );
            }
            Event::End(_) => {
                if path.depth == 0 {
                    return Err(broken(&reader, "a closing tag without its opening".into()));
                }
                v.close(&path, text.trim());
                text.clear();
                path.pop();
            }
            Event::Text(t) => {
                let t = t.decode().map_err(|e| broken(&reader, e.to_string()))?;
                text.push_str(&t);
            }
            Event::CData(t) => {
                let t = t.decode().map_err(|e| broken(&reader, e.to_string()))?;
                text.push_str(&t);
            }
            Event::GeneralRef(r) => {
                let name = r.decode().map_err(|e| broken(&reader, e.to_string()))?;
                match r.resolve_char_ref() {
                    Ok(Some(c)) => text.push(c),
                    _ => match quick_xml::escape::resolve_xml_entity(&name) {
                        Some(s) => text.push_str(s),
                        None => {
                            return Err(broken(&reader, format!("unknown entity &{name};")));
                        }
                    },
                }
            }
            Event::Eof => {
                if path.depth > 0 {
                    return Err(broken(
                        &reader,
                        format!("the document ends inside <{}>", path.last()),
                    ));
                }
                return Ok(());
            }
            _ => {}
        }
    }
}

/// A text value with runs of white space made one space (names and addresses wrap across
/// lines in the documents).
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Log(Vec<String>);

    impl Visitor for Log {
        fn open(&mut self, at: &Path, attrs: &Attrs<'_>) {
            if let Some(v) = attrs.get("ИНН") {
                self.0.push(format!("{} @ИНН={v}", at.text()));
            }
        }
        fn close(&mut self, at: &Path, text: &str) {
            if !text.is_empty() {
                self.0.push(format!(
                    "{} = {text} ({:?})",
                    at.text(),
                    at.ns(at.depth() - 1)
                ));
            }
        }
    }

    #[test]
    fn namespaces_by_uri_positions_and_entities() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<a:export xmlns:a="http://zakupki.gov.ru/oos/export/1" xmlns:q="urn:other">
  <a:x><a:app>1</a:app><a:app>2</a:app><q:app>3</q:app><a:app>ООО &quot;Р&quot; &#1071;</a:app></a:x>
</a:export>"#;
        let mut log = Log::default();
        walk(doc.as_bytes(), Namespaces::Resolved, &mut log).unwrap();
        assert_eq!(
            log.0,
            [
                "/export/x/app = 1 (Eis)",
                "/export/x/app[2] = 2 (Eis)",
                "/export/x/app[3] = 3 (Other)",
                "/export/x/app[4] = ООО \"Р\" Я (Eis)",
            ]
        );
    }

    #[test]
    fn windows_1251_names_and_attributes() {
        let text = "<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n<Файл><Документ><СвЮЛ ИНН=\"7700000001\"/></Документ></Файл>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        let mut log = Log::default();
        walk(&bytes[..], Namespaces::Ignored, &mut log).unwrap();
        assert_eq!(log.0, ["/Файл/Документ/СвЮЛ @ИНН=7700000001"]);
    }

    #[test]
    fn a_truncated_document_is_broken_after_what_it_had() {
        let mut log = Log::default();
        let err = walk(&b"<r><a>1</a><b>2"[..], Namespaces::Resolved, &mut log).unwrap_err();
        assert_eq!(log.0, ["/r/a = 1 (None)"]);
        assert!(
            err.reason.contains("<b>") || err.reason.contains("b"),
            "{}",
            err.reason
        );
    }
}
