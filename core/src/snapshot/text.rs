//! One string arena per snapshot: every id and name lives in a single buffer, addressed by
//! [`Span`]s, so a decoded snapshot is a handful of allocations however large it is.

use alloc::string::String;

/// Where a string sits in a [`Text`] arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    start: u32,
    len: u32,
}

/// An append-only string arena.
#[derive(Debug, Default, Clone)]
pub(crate) struct Text {
    buf: String,
}

impl Text {
    pub(crate) fn with_capacity(bytes: usize) -> Text {
        Text {
            buf: String::with_capacity(bytes),
        }
    }

    /// Appends `s`. `None` once the arena would pass `u32::MAX` bytes, which the snapshot
    /// size limit keeps from happening.
    pub(crate) fn push(&mut self, s: &str) -> Option<Span> {
        let start = u32::try_from(self.buf.len()).ok()?;
        let len = u32::try_from(s.len()).ok()?;
        start.checked_add(len)?;
        self.buf.push_str(s);
        Some(Span { start, len })
    }

    /// The string at `span`; empty for a span this arena did not hand out.
    #[inline]
    pub(crate) fn get(&self, span: Span) -> &str {
        let start = span.start as usize;
        self.buf
            .get(start..start + span.len as usize)
            .unwrap_or_default()
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.buf.shrink_to_fit();
    }

    pub(crate) fn bytes(&self) -> usize {
        self.buf.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_address_what_was_pushed() {
        let mut t = Text::default();
        let a = t.push("alpha").unwrap();
        let b = t.push("").unwrap();
        let c = t.push("gamma").unwrap();
        assert_eq!(t.get(a), "alpha");
        assert_eq!(t.get(b), "");
        assert_eq!(t.get(c), "gamma");
        assert_eq!(t.get(Span { start: 99, len: 3 }), "");
    }
}
