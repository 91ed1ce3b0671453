//! A content file as read from disk: its text, its typed value, and a map from every
//! YAML node to its line and column, so errors found after deserializing (an unknown
//! intent, a regex that does not compile) still point at the exact spot.

use super::error::{ContentError, Problems};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Where each node of a YAML document starts. Keys are dotted paths such as
/// `examples.id.3`; `path#key` is where the mapping key itself starts.
#[derive(Debug, Default, Clone)]
pub struct Positions {
    map: HashMap<String, (usize, usize)>,
}

impl Positions {
    /// The position of the node at `path`, or of its nearest ancestor that exists.
    pub fn at(&self, path: &str) -> (usize, usize) {
        let mut p = path.to_string();
        loop {
            if let Some(pos) = self.map.get(&p) {
                return *pos;
            }
            match p.rfind('.') {
                Some(i) => p.truncate(i),
                None => return self.map.get("").copied().unwrap_or((1, 1)),
            }
        }
    }

    /// The position of the mapping key at `path` (falls back to its value).
    pub fn key(&self, path: &str) -> (usize, usize) {
        self.map
            .get(&format!("{path}#key"))
            .copied()
            .unwrap_or_else(|| self.at(path))
    }
}

enum Frame {
    Map {
        path: String,
        pending_key: Option<String>,
    },
    Seq {
        path: String,
        next: usize,
    },
}

struct Recorder {
    stack: Vec<Frame>,
    positions: Positions,
}

impl Recorder {
    fn child_path(&mut self, scalar_key: Option<&str>, mark: Marker) -> Option<String> {
        let pos = (mark.line(), mark.col() + 1);
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, next }) => {
                let p = join(path, &next.to_string());
                *next += 1;
                Some(p)
            }
            Some(Frame::Map { path, pending_key }) => match pending_key.take() {
                Some(k) => Some(join(path, &k)),
                None => {
                    // This node is a key.
                    let key = scalar_key.unwrap_or("?").to_string();
                    let kp = join(path, &key);
                    self.positions.map.insert(format!("{kp}#key"), pos);
                    *pending_key = Some(key);
                    None
                }
            },
        }
    }
}

fn join(base: &str, seg: &str) -> String {
    if base.is_empty() {
        seg.to_string()
    } else {
        format!("{base}.{seg}")
    }
}

impl MarkedEventReceiver for Recorder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let pos = (mark.line(), mark.col() + 1);
        match ev {
            Event::Scalar(ref value, ..) => {
                if let Some(p) = self.child_path(Some(value), mark) {
                    self.positions.map.entry(p).or_insert(pos);
                }
            }
            Event::Alias(_) => {
                if let Some(p) = self.child_path(Some("*"), mark) {
                    self.positions.map.entry(p).or_insert(pos);
                }
            }
            Event::SequenceStart(..) => {
                let p = self.child_path(None, mark).unwrap_or_default();
                self.positions.map.entry(p.clone()).or_insert(pos);
                self.stack.push(Frame::Seq { path: p, next: 0 });
            }
            Event::MappingStart(..) => {
                let p = self.child_path(None, mark).unwrap_or_default();
                self.positions.map.entry(p.clone()).or_insert(pos);
                self.stack.push(Frame::Map {
                    path: p,
                    pending_key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

/// A YAML content file, deserialized into `T`, with node positions.
pub struct SourceFile<T> {
    pub path: PathBuf,
    pub value: T,
    pub positions: Positions,
}

impl<T> SourceFile<T> {
    /// An error located at the node `node` (a dotted path) of this file.
    pub fn error(
        &self,
        node: &str,
        what: impl Into<String>,
        expected: impl Into<String>,
        hint: impl Into<String>,
    ) -> ContentError {
        ContentError::new(&self.path, self.positions.at(node), what, expected, hint)
    }

    /// An error located at the mapping key `node`.
    pub fn key_error(
        &self,
        node: &str,
        what: impl Into<String>,
        expected: impl Into<String>,
        hint: impl Into<String>,
    ) -> ContentError {
        ContentError::new(&self.path, self.positions.key(node), what, expected, hint)
    }
}

/// Reads and deserializes one YAML file; problems go to `problems` and give `None`.
pub fn read_yaml<T: DeserializeOwned>(
    path: &Path,
    expected_shape: &str,
    problems: &mut Problems,
) -> Option<SourceFile<T>> {
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                problems.push(ContentError::new(
                    path,
                    (1, 1),
                    format!(
                        "the file is not valid UTF-8 (byte {})",
                        e.utf8_error().valid_up_to()
                    ),
                    "a UTF-8 text file",
                    "save the file as UTF-8",
                ));
                return None;
            }
        },
        Err(e) => {
            problems.push(ContentError::new(
                path,
                (1, 1),
                format!("cannot read the file: {e}"),
                "a readable file",
                "check the path and its permissions",
            ));
            return None;
        }
    };
    parse_yaml(path, &text, expected_shape, problems)
}

/// Deserializes YAML text that came from `path`.
pub fn parse_yaml<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    expected_shape: &str,
    problems: &mut Problems,
) -> Option<SourceFile<T>> {
    let value: T = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            let msg = e.to_string();
            // serde_yaml appends " at line X column Y"; the location is already in front.
            let what = match msg.find(" at line ") {
                Some(i) => msg[..i].to_string(),
                None => msg,
            };
            let hint = yaml_hint(&what);
            problems.push(ContentError::new(
                path,
                (line, column),
                what,
                expected_shape,
                hint,
            ));
            return None;
        }
    };
    let mut recorder = Recorder {
        stack: Vec::new(),
        positions: Positions::default(),
    };
    let mut parser = Parser::new_from_str(text);
    // serde_yaml accepted the text, so the marker pass cannot fail in practice;
    // if it does, errors fall back to line 1.
    let _ = parser.load(&mut recorder, false);
    Some(SourceFile {
        path: path.to_path_buf(),
        value,
        positions: recorder.positions,
    })
}

fn yaml_hint(what: &str) -> String {
    if what.contains("unknown field") {
        "check the spelling of the key; the allowed keys are listed after 'expected one of'".into()
    } else if what.contains("missing field") {
        "add the missing key".into()
    } else if what.contains("duplicate") {
        "a key may appear only once in a mapping; merge the two entries".into()
    } else if what.contains("invalid type") {
        "check the indentation and whether a list ('- item' or [a, b]) or a mapping ('key: value') is needed here".into()
    } else if what.contains("mapping values are not allowed")
        || what.contains("did not find expected")
    {
        "quote strings that contain ': ' or start with a special character, and check the indentation".into()
    } else if what.contains("unknown variant") {
        "use one of the listed values".into()
    } else {
        "check the YAML syntax around this position".into()
    }
}

/// A file path relative to the content root, for shorter error messages.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map(|p| p.to_path_buf())
        .unwrap_or_else(|_| path.to_path_buf())
}
