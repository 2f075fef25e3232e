//! A hand-written reader for the snapshot's postcard encoding. The compiler writes snapshots
//! with serde + postcard; reading them back by hand keeps the decoder small (it is most of
//! the browser build) and lets every failure name its part. The golden fixture and the
//! round-trip tests hold the two to the same bytes.
//!
//! Its two smallest primitives (`take`, `u8`) are always inlined: the decoder calls them a
//! few times per byte, and the size-optimised WebAssembly build would otherwise make each a
//! call. (Inlining the larger ones everywhere costs the npm module about 8 KB.)
//!
//! postcard, as used here: unsigned integers are LEB128 varints (u8 is a raw byte), lengths
//! are varints, strings and byte strings are a length then the bytes, `Option` is a 0/1 tag,
//! fixed arrays are their bytes, structs are their fields in order.

use crate::snapshot::DecodeError;

/// Reads one part (`header`, `envelope`, `payload`, …) of a snapshot.
#[derive(Clone)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    part: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], part: &'static str) -> Reader<'a> {
        Reader { bytes, part }
    }

    fn malformed(&self, reason: &'static str) -> DecodeError {
        DecodeError::Malformed {
            part: self.part,
            reason,
        }
    }

    /// The bytes not read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.bytes
    }

    /// Fails unless everything was read.
    pub(crate) fn finish(self) -> Result<(), DecodeError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes {
                part: self.part,
                count: self.bytes.len(),
            })
        }
    }

    #[inline(always)]
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.bytes.len() {
            return Err(self.malformed("unexpected end of input"));
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    #[inline(always)]
    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        let [b] = *<&[u8; 1]>::try_from(self.take(1)?)
            .map_err(|_| self.malformed("unexpected end of input"))?;
        Ok(b)
    }

    /// A bool as postcard writes it: exactly 0 or 1.
    #[inline]
    pub(crate) fn bool(&mut self) -> Result<bool, DecodeError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(self.malformed("bad bool")),
        }
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let bytes = self.take(N)?;
        <[u8; N]>::try_from(bytes).map_err(|_| self.malformed("unexpected end of input"))
    }

    /// A LEB128 varint of at most `bits` bits (as postcard: the last byte may only carry the
    /// bits that remain; longer encodings are refused).
    #[inline]
    fn varint(&mut self, bits: u32) -> Result<u64, DecodeError> {
        let mut value: u64 = 0;
        let mut shift = 0;
        loop {
            let b = self.u8()?;
            let low = u64::from(b & 0x7f);
            let remaining = bits.saturating_sub(shift);
            if remaining == 0 || (remaining < 7 && low >> remaining != 0) {
                return Err(self.malformed("bad variable-length integer"));
            }
            value |= low << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
        }
    }

    pub(crate) fn u16(&mut self) -> Result<u16, DecodeError> {
        u16::try_from(self.varint(16)?).map_err(|_| self.malformed("bad variable-length integer"))
    }

    #[inline]
    pub(crate) fn u32(&mut self) -> Result<u32, DecodeError> {
        u32::try_from(self.varint(32)?).map_err(|_| self.malformed("bad variable-length integer"))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, DecodeError> {
        self.varint(64)
    }

    /// A length: at most what is left to read, since every item takes at least a byte.
    #[inline]
    pub(crate) fn len(&mut self) -> Result<usize, DecodeError> {
        let n =
            usize::try_from(self.varint(64)?).map_err(|_| self.malformed("length too large"))?;
        if n > self.bytes.len() {
            return Err(self.malformed("unexpected end of input"));
        }
        Ok(n)
    }

    #[inline]
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.len()?;
        self.take(n)
    }

    #[inline]
    pub(crate) fn str(&mut self) -> Result<&'a str, DecodeError> {
        let bytes = self.bytes()?;
        core::str::from_utf8(bytes).map_err(|_| self.malformed("text is not UTF-8"))
    }

    #[inline]
    pub(crate) fn option<T>(
        &mut self,
        read: impl FnOnce(&mut Reader<'a>) -> Result<T, DecodeError>,
    ) -> Result<Option<T>, DecodeError> {
        match self.u8()? {
            0 => Ok(None),
            1 => read(self).map(Some),
            _ => Err(self.malformed("bad option tag")),
        }
    }

    #[cfg(test)]
    pub(crate) fn seq<T>(
        &mut self,
        mut read: impl FnMut(&mut Reader<'a>) -> Result<T, DecodeError>,
    ) -> Result<alloc::vec::Vec<T>, DecodeError> {
        let n = self.len()?;
        // Preallocate no more bytes than are left to read: a count that promises more items
        // than the input can hold costs nothing until the items are really there.
        let room = self.bytes.len() / core::mem::size_of::<T>().max(1);
        let mut items = alloc::vec::Vec::with_capacity(n.min(room));
        for _ in 0..n {
            items.push(read(self)?);
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_follow_postcard() {
        for n in [0u64, 1, 127, 128, 300, 16_384, u32::MAX as u64, u64::MAX] {
            let bytes = postcard::to_allocvec(&n).unwrap();
            assert_eq!(Reader::new(&bytes, "t").u64().unwrap(), n);
        }
        for n in [0u32, 127, 128, u32::MAX] {
            let bytes = postcard::to_allocvec(&n).unwrap();
            assert_eq!(Reader::new(&bytes, "t").u32().unwrap(), n);
        }
        // Too long for a u32, or overflowing its last byte.
        assert!(
            Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x1f], "t")
                .u32()
                .is_err()
        );
        assert!(
            Reader::new(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01], "t")
                .u32()
                .is_err()
        );
        assert!(Reader::new(&[0x80], "t").u32().is_err());
        let max = postcard::to_allocvec(&u32::MAX).unwrap();
        assert_eq!(Reader::new(&max, "t").u32().unwrap(), u32::MAX);
        assert_eq!(
            Reader::new(&[0xff, 0xff, 0x03], "t").u16().unwrap(),
            u16::MAX
        );
        assert!(Reader::new(&[0xff, 0xff, 0x07], "t").u16().is_err());
    }

    #[test]
    fn strings_options_and_sequences_follow_postcard() {
        let value: (Option<&str>, Option<u32>, alloc::vec::Vec<&str>, &[u8]) =
            (Some("héllo"), None, alloc::vec!["a", "", "bc"], &[1, 2, 3]);
        let bytes = postcard::to_allocvec(&value).unwrap();
        let mut r = Reader::new(&bytes, "t");
        assert_eq!(r.option(|r| r.str()).unwrap(), Some("héllo"));
        assert_eq!(r.option(|r| r.u32()).unwrap(), None);
        assert_eq!(r.seq(|r| r.str()).unwrap(), ["a", "", "bc"]);
        assert_eq!(r.bytes().unwrap(), &[1, 2, 3]);
        r.finish().unwrap();
        assert!(Reader::new(&[5, b'a'], "t").str().is_err());
        assert!(Reader::new(&[2, 0xff, 0xfe], "t").str().is_err());
        assert!(Reader::new(&[2], "t").option(|r| r.u8()).is_err());
        assert!(Reader::new(&[200, 1], "t").seq(|r| r.u8()).is_err());
    }
}
