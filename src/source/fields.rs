//! The fields of a tabular row (CSV, spreadsheet, vCard), kept with the other rows of their
//! batch in one shared block of text: reading a batch costs two growing buffers, not two
//! allocations per row, and a row is a reference-counted view into its block.

use std::sync::Arc;

/// The text of many rows' fields, one after the other, and where each field ends.
#[derive(Debug, Default)]
pub struct Block {
    text: String,
    ends: Vec<u32>,
}

impl Block {
    pub fn with_capacity(bytes: usize, fields: usize) -> Block {
        Block {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(fields),
        }
    }

    /// The bytes held so far (a block is closed before it outgrows `u32` offsets).
    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Appends one row's fields; returns where they are, for [`Fields::of`]. `None` when the
    /// block cannot take that much more text (start a new block).
    pub fn push<'a>(&mut self, fields: impl IntoIterator<Item = &'a str>) -> Option<Span> {
        let begin = u32::try_from(self.text.len()).ok()?;
        let first = u32::try_from(self.ends.len()).ok()?;
        for f in fields {
            self.text.push_str(f);
            self.ends.push(u32::try_from(self.text.len()).ok()?);
        }
        let len = u32::try_from(self.ends.len()).ok()? - first;
        Some(Span { begin, first, len })
    }

    /// Appends one row whose fields are already concatenated in `text` (valid UTF-8), each
    /// ending at the offsets `ends` within it.
    pub fn push_joined(
        &mut self,
        text: &str,
        ends: impl IntoIterator<Item = usize>,
    ) -> Option<Span> {
        let begin = u32::try_from(self.text.len()).ok()?;
        let first = u32::try_from(self.ends.len()).ok()?;
        u32::try_from(self.text.len() + text.len()).ok()?;
        self.text.push_str(text);
        for e in ends {
            self.ends.push(begin + u32::try_from(e).ok()?);
        }
        let len = u32::try_from(self.ends.len()).ok()? - first;
        Some(Span { begin, first, len })
    }
}

/// Where a row's fields are in its block.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    begin: u32,
    first: u32,
    len: u32,
}

/// One row's fields.
#[derive(Clone)]
pub struct Fields {
    block: Arc<Block>,
    span: Span,
}

impl Fields {
    /// The row at `span` of `block`.
    pub fn of(block: &Arc<Block>, span: Span) -> Fields {
        Fields {
            block: Arc::clone(block),
            span,
        }
    }

    /// No fields.
    pub fn new() -> Fields {
        Fields::from_iter(std::iter::empty::<&str>())
    }

    pub fn len(&self) -> usize {
        self.span.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.span.len == 0
    }

    /// Field `i`, or `None` past the last.
    pub fn get(&self, i: usize) -> Option<&str> {
        if i >= self.len() {
            return None;
        }
        let k = self.span.first as usize + i;
        let start = if i == 0 {
            self.span.begin
        } else {
            self.block.ends[k - 1]
        };
        self.block
            .text
            .get(start as usize..self.block.ends[k] as usize)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let first = self.span.first as usize;
        let ends = self
            .block
            .ends
            .get(first..first + self.len())
            .unwrap_or_default();
        let mut start = self.span.begin as usize;
        ends.iter().map(move |&end| {
            let field = self.block.text.get(start..end as usize).unwrap_or("");
            start = end as usize;
            field
        })
    }
}

impl Default for Fields {
    fn default() -> Self {
        Fields::new()
    }
}

impl std::fmt::Debug for Fields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Fields {
    fn eq(&self, other: &Fields) -> bool {
        self.iter().eq(other.iter())
    }
}

impl<'a> FromIterator<&'a str> for Fields {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Fields {
        let mut block = Block::default();
        // A row of more than 4 GiB: kept empty rather than wrapped around.
        let span = block.push(iter).unwrap_or(Span {
            begin: 0,
            first: 0,
            len: 0,
        });
        let block = Arc::new(block);
        Fields { block, span }
    }
}

impl FromIterator<String> for Fields {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Fields {
        let owned: Vec<String> = iter.into_iter().collect();
        owned.iter().map(String::as_str).collect()
    }
}

impl From<Vec<String>> for Fields {
    fn from(v: Vec<String>) -> Fields {
        v.iter().map(String::as_str).collect()
    }
}

impl From<Vec<&str>> for Fields {
    fn from(v: Vec<&str>) -> Fields {
        v.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_share_a_block() {
        let mut block = Block::default();
        let a = block.push(["Ann", "", "+44"]).unwrap();
        let b = block.push_joined("Bobé+1", [3, 3, 7]).unwrap();
        let c = block.push(std::iter::empty::<&str>()).unwrap();
        let block = Arc::new(block);
        let (a, b, c) = (
            Fields::of(&block, a),
            Fields::of(&block, b),
            Fields::of(&block, c),
        );
        assert_eq!(a.iter().collect::<Vec<_>>(), ["Ann", "", "+44"]);
        assert_eq!(b.iter().collect::<Vec<_>>(), ["Bob", "", "é+1"]);
        assert_eq!(b.get(2), Some("é+1"));
        assert_eq!(b.get(3), None);
        assert!(c.is_empty());
        assert_eq!(a, Fields::from(vec!["Ann", "", "+44"]));
        assert_eq!(Fields::new().len(), 0);
    }
}
