//! The broken-input suite: each directory of `tests/fixtures/broken/` (written by its `make.py`
//! from the sample) holds the sample's files one defect changes. Laid over a copy of the sample,
//! `affil validate` must name each problem with its file, line and column (`expected.txt`), and
//! `affil check` must still find the sample's cases; a file affil refuses (`error.txt`) fails
//! both with an error naming it.

mod common;

use std::path::PathBuf;

use common::*;

fn fixtures() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// A copy of the sample with the fixture's files in place of the sample's.
fn laid_over(wd: &Workdir, fixture: &std::path::Path) -> PathBuf {
    let dir = wd.copy_sample("data");
    for e in std::fs::read_dir(fixture).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "csv") {
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
    }
    dir
}

#[test]
fn every_broken_input_is_explained_and_the_check_goes_on() {
    let dirs = fixtures();
    assert!(dirs.len() >= 14, "{dirs:?}");
    for fixture in dirs {
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        let wd = Workdir::new();
        laid_over(&wd, &fixture);
        let v = wd.run(&["validate", "data"]);
        let c = wd.run(&["check", "data", "--out", "out"]);
        if let Ok(error) = std::fs::read_to_string(fixture.join("error.txt")) {
            for (o, what) in [(&v, "validate"), (&c, "check")] {
                assert_eq!(o.status.code(), Some(2), "{name}: {what}");
                assert!(stderr(o).contains(error.trim()), "{name}: {}", stderr(o));
            }
            continue;
        }
        assert!(v.status.success(), "{name}: {}", stderr(&v));
        let out = stdout(&v);
        let expected = std::fs::read_to_string(fixture.join("expected.txt")).unwrap();
        for line in expected.lines().filter(|l| !l.is_empty()) {
            assert!(out.contains(line), "{name}: `{line}` not in\n{out}");
        }
        assert!(c.status.success(), "{name}: {}", stderr(&c));
        assert_eq!(
            case_keys(&wd.path("out/cases.csv")),
            case_keys(&sample_dir().join("expected_cases.csv")),
            "{name}"
        );
    }
}
