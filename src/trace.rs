//! Where a piece of content came from (file and line), so every turn can say which
//! lexicon entry, example, keyword or pattern was behind its answer.

use std::fmt;
use std::sync::Arc;

/// A content file and line: `lexicons/id/slang.yaml:12`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: Arc<str>,
    pub line: u32,
}

impl Origin {
    pub fn new(file: &Arc<str>, line: usize) -> Self {
        Origin {
            file: file.clone(),
            line: line as u32,
        }
    }

    /// For content built in code (tests).
    pub fn builtin() -> Self {
        Origin {
            file: Arc::from("<builtin>"),
            line: 0,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}
