//! Shared helpers of the integration tests: a scratch work directory and CSV readers.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// A temporary directory for one test, with helpers to run the binary in it.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    /// A fresh empty work directory.
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Path of a file or folder inside the work directory.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Copies the shipped sample dataset into `rel` and returns its path.
    pub fn copy_sample(&self, rel: &str) -> PathBuf {
        let to = self.path(rel);
        std::fs::create_dir_all(&to).unwrap();
        for e in std::fs::read_dir(sample_dir()).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
        to
    }

    /// Writes a UTF-8 file.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Writes a file in Windows-1251.
    pub fn write_cp1251(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let (bytes, _, bad) = encoding_rs::WINDOWS_1251.encode(text);
        assert!(!bad, "text not representable in Windows-1251");
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Runs `affil` with arguments in the work directory.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::cargo_bin("affil")
            .unwrap()
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs `affil` with arguments and extra environment variables in the work directory.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        Command::cargo_bin("affil")
            .unwrap()
            .current_dir(self.dir.path())
            .args(args)
            .envs(env.iter().copied())
            .output()
            .unwrap()
    }
}

/// The shipped sample dataset.
pub fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample")
}

/// Decodes a file as UTF-8 or, failing that, Windows-1251.
pub fn read_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    match String::from_utf8(bytes.clone()) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_owned(),
        Err(_) => encoding_rs::WINDOWS_1251.decode(&bytes).0.into_owned(),
    }
}

/// Rows of a CSV file as (header -> value) maps (see [`read_table`]).
pub fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let (headers, rows) = read_table(path);
    rows.into_iter()
        .map(|row| headers.iter().cloned().zip(row).collect())
        .collect()
}

/// A CSV file's header and records, as written; the delimiter is the one of `;`, `,` and tab
/// the header has most of.
pub fn read_table(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = read_text(path);
    let head = text.lines().next().unwrap_or_default();
    let delim = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| head.bytes().filter(|b| b == d).count())
        .unwrap();
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// The (rule, procurement_id, official_id, participant_inn, relation, severity) keys of a cases file.
pub fn case_keys(path: &Path) -> BTreeSet<[String; 6]> {
    read_csv(path)
        .into_iter()
        .map(|r| {
            [
                r["rule"].clone(),
                r["procurement_id"].clone(),
                r["official_id"].clone(),
                r["participant_inn"].clone(),
                r["relation"].clone(),
                r["severity"].clone(),
            ]
        })
        .collect()
}

/// Valid INNs built from a body, as the generator makes them.
#[allow(unused_imports)]
pub use affil::identifiers::{org_inn_from as org_inn, person_inn_from as person_inn};

/// Standard error of a run as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Standard output of a run as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A table as the test readers give it: header and rows.
pub type Table = (Vec<String>, Vec<Vec<String>>);

/// Writes a table as a workbook the way an HR system exports one: a title block of `title`
/// rows and a blank row above the header, dates as Excel dates and INNs as numbers where the
/// cell holds one, on a sheet named `sheet`; `after` puts a sheet of instructions first.
pub fn as_workbook(
    path: &std::path::Path,
    (header, rows): &Table,
    sheet: &str,
    title: u32,
    after: bool,
) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    if after {
        book.add_worksheet()
            .set_name("Инструкция")
            .unwrap()
            .write_string(0, 0, "Заполните лист с данными")
            .unwrap();
    }
    let ws = book.add_worksheet();
    ws.set_name(sheet).unwrap();
    for t in 0..title {
        ws.write_string(t, 0, format!("Выгрузка из кадровой системы, часть {t}"))
            .unwrap();
    }
    let at = if title > 0 { title + 1 } else { 0 };
    let date = Format::new().set_num_format("dd.mm.yyyy");
    for (c, h) in header.iter().enumerate() {
        ws.write_string(at, c as u16, h).unwrap();
    }
    for (i, row) in rows.iter().enumerate() {
        let r = at + 1 + i as u32;
        for (c, v) in row.iter().enumerate() {
            let (col, name) = (c as u16, header[c].as_str());
            let dmy: Vec<u16> = v.split('.').filter_map(|p| p.parse().ok()).collect();
            if name.contains("date") && dmy.len() == 3 && v.len() == 10 {
                let d = ExcelDateTime::from_ymd(dmy[2], dmy[1] as u8, dmy[0] as u8).unwrap();
                ws.write_datetime_with_format(r, col, d, &date).unwrap();
            } else if name.ends_with("inn") && v.len() >= 10 && !v.starts_with('0') {
                ws.write_number(r, col, v.parse::<f64>().unwrap()).unwrap();
            } else if !v.is_empty() {
                ws.write_string(r, col, v).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

/// Writes a table as an OpenDocument spreadsheet (.ods) as LibreOffice saves one: `title`
/// rows above a blank row and the header, dates (`DD.MM.YYYY`) as date cells, on a sheet named
/// `sheet`. Built by hand (no crate writes ODS): the ZIP with its stored `mimetype` first, the
/// manifest and content.xml.
pub fn as_ods(path: &Path, (header, rows): &Table, sheet: &str, title: u32) {
    use std::io::Write;
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }
    let cell = |v: &str, is_date: bool| {
        let dmy: Vec<&str> = v.split('.').collect();
        if is_date && dmy.len() == 3 && v.len() == 10 {
            format!(
                "<table:table-cell office:value-type=\"date\" office:date-value=\"{}-{}-{}\"><text:p>{}</text:p></table:table-cell>",
                dmy[2], dmy[1], dmy[0], esc(v)
            )
        } else if v.is_empty() {
            "<table:table-cell/>".to_owned()
        } else {
            format!(
                "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
                esc(v)
            )
        }
    };
    let mut body = String::new();
    for t in 0..title {
        body.push_str(&format!(
            "<table:table-row>{}</table:table-row>",
            cell(&format!("Выгрузка из кадровой системы, часть {t}"), false)
        ));
    }
    if title > 0 {
        body.push_str("<table:table-row><table:table-cell/></table:table-row>");
    }
    let row = |cells: Vec<String>| format!("<table:table-row>{}</table:table-row>", cells.concat());
    body.push_str(&row(header.iter().map(|h| cell(h, false)).collect()));
    for r in rows {
        body.push_str(&row(r
            .iter()
            .zip(header)
            .map(|(v, h)| cell(v, h.contains("date")))
            .collect()));
    }
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.3\">\
<office:body><office:spreadsheet><table:table table:name=\"{}\">{body}</table:table>\
</office:spreadsheet></office:body></office:document-content>",
        esc(sheet)
    );
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.3\">\
<manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
</manifest:manifest>";
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default();
    z.start_file("mimetype", stored).unwrap();
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    z.start_file("META-INF/manifest.xml", deflated).unwrap();
    z.write_all(manifest.as_bytes()).unwrap();
    z.start_file("content.xml", deflated).unwrap();
    z.write_all(content.as_bytes()).unwrap();
    z.finish().unwrap();
}
