//! Content errors: every problem `pasar check` and a reload report, with the file,
//! line and column it sits at, what is wrong, what was expected, and a hint.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in the content, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub what: String,
    pub expected: String,
    pub hint: String,
}

impl ContentError {
    pub fn new(
        path: &Path,
        (line, column): (usize, usize),
        what: impl Into<String>,
        expected: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        ContentError {
            path: path.to_path_buf(),
            line,
            column,
            what: what.into(),
            expected: expected.into(),
            hint: hint.into(),
        }
    }
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}; expected {}; hint: {}",
            self.path.display(),
            self.line,
            self.column,
            self.what,
            self.expected,
            self.hint
        )
    }
}

/// All problems found while loading content. Loading never stops at the first one:
/// the content team fixes a file in one go.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ContentErrors(pub Vec<ContentError>);

impl fmt::Display for ContentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Collects content errors while loading continues.
#[derive(Debug, Default)]
pub struct Problems {
    errors: Vec<ContentError>,
}

impl Problems {
    pub fn push(&mut self, e: ContentError) {
        self.errors.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn len(&self) -> usize {
        self.errors.len()
    }

    pub fn into_result<T>(mut self, value: T) -> Result<T, ContentErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            self.errors
                .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
            self.errors.dedup();
            Err(ContentErrors(self.errors))
        }
    }
}
