//! Structured answers (explanations, holders, directory entries, roles, reasons) as one
//! compact, self-describing byte string, which the package's JavaScript turns into plain
//! objects in a single pass (`npm/src/values.js`): the same objects serde gives any
//! self-describing format — structs as objects, `None` and units as `null`, unit variants as
//! their names, internally tagged enums with their tag — crossing the boundary in one copy
//! rather than one JS call per field.
//!
//! Written here rather than taken from a library: serde-wasm-bindgen (which builds each
//! object through JS calls) and the std, js-sys and futures code it brings were a tenth of the
//! module; CBOR or MessagePack would have brought a decoder as large as the package's
//! JavaScript. This is a few hundred bytes of wasm and thirty lines of JS.
//!
//! The format: a value is a tag byte, then —
//!
//! | tag | value | followed by |
//! |---|---|---|
//! | 0 | `null` | |
//! | 1, 2 | `false`, `true` | |
//! | 3 | a whole number ≥ 0 | its LEB128 varint |
//! | 4 | a whole number < 0 | the varint of `-1 - n` |
//! | 5 | a number | 8 bytes, little-endian `f64` |
//! | 6 | a string | the varint of its UTF-8 length, then the bytes |
//! | 7 | an array | the varint of its length, then the values |
//! | 8 | an object | the varint of its length, then (key, value) pairs |
//! | 9 | an array of unknown length | the values, then the tag 11 |
//! | 10 | an object of unknown length | (key, value) pairs, then the key 0 |
//!
//! A key is a varint: 1 then the key's string (varint length and bytes) the first time a
//! key appears in the answer, `2 + i` for the `i`-th key that appeared before; 0 ends an
//! object of unknown length. Keys are field names as written in Rust (`snake_case`); the
//! reader turns them into the package's `camelCase`.

use alloc::vec::Vec;
use core::fmt;

use serde::ser::{self, Serialize};

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const UINT: u8 = 3;
const NEGATIVE: u8 = 4;
const FLOAT: u8 = 5;
const STRING: u8 = 6;
const ARRAY: u8 = 7;
const OBJECT: u8 = 8;
const OPEN_ARRAY: u8 = 9;
const OPEN_OBJECT: u8 = 10;
const END: u8 = 11;

/// Key numbers: the end of an open object, a new key, the first key seen.
const END_KEY: u64 = 0;
const NEW_KEY: u64 = 1;
const FIRST_KEY: u64 = 2;

/// `value` in the format above.
pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut encoder = Encoder {
        out: Vec::new(),
        keys: Vec::new(),
    };
    value.serialize(&mut encoder)?;
    Ok(encoder.out)
}

/// A value serde could not describe in this format (a map key that is no string).
#[derive(Debug)]
pub(crate) struct Error;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the answer could not be encoded")
    }
}

impl core::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Error
    }
}

struct Encoder {
    out: Vec<u8>,
    /// Keys written so far, by number.
    keys: Vec<&'static str>,
}

impl Encoder {
    fn varint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.out.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.out.push(n as u8);
    }

    fn tagged(&mut self, tag: u8, n: u64) {
        self.out.push(tag);
        self.varint(n);
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.varint(bytes.len() as u64);
        self.out.extend_from_slice(bytes);
    }

    fn key(&mut self, key: &'static str) {
        match self.keys.iter().position(|k| *k == key) {
            Some(i) => self.varint(FIRST_KEY + i as u64),
            None => {
                self.varint(NEW_KEY);
                self.bytes(key.as_bytes());
                self.keys.push(key);
            }
        }
    }

    /// An array or object of `len` items (`None`: not known in advance).
    fn open(&mut self, known: u8, open: u8, len: Option<usize>) -> Compound<'_> {
        match len {
            Some(n) => self.tagged(known, n as u64),
            None => self.out.push(open),
        }
        Compound {
            encoder: self,
            open: len.is_none(),
        }
    }
}

/// An array or object being written.
struct Compound<'a> {
    encoder: &'a mut Encoder,
    /// Of unknown length: ends with a marker.
    open: bool,
}

impl Compound<'_> {
    fn end_array(self) {
        if self.open {
            self.encoder.out.push(END);
        }
    }

    fn end_object(self) {
        if self.open {
            self.encoder.varint(END_KEY);
        }
    }
}

/// Writes a map key, which must be a string.
struct MapKey<'a>(&'a mut Encoder);

impl<'a> ser::Serializer for &'a mut Encoder {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.push(if v { TRUE } else { FALSE });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        match u64::try_from(v) {
            Ok(n) => self.tagged(UINT, n),
            Err(_) => self.tagged(NEGATIVE, !(v as u64)),
        }
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.tagged(UINT, v);
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.out.push(FLOAT);
        self.out.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.out.push(STRING);
        self.bytes(v.as_bytes());
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.tagged(ARRAY, v.len() as u64);
        for &b in v {
            self.tagged(UINT, u64::from(b));
        }
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.out.push(NULL);
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_none()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.tagged(OBJECT, 1);
        self.key(variant);
        value.serialize(self)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.open(ARRAY, OPEN_ARRAY, len))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.tagged(OBJECT, 1);
        self.key(variant);
        self.serialize_seq(Some(len))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.open(OBJECT, OPEN_OBJECT, len))
    }

    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.tagged(OBJECT, 1);
        self.key(variant);
        self.serialize_map(Some(len))
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.encoder)
    }

    fn end(self) -> Result<(), Error> {
        self.end_array();
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.encoder)
    }

    fn end(self) -> Result<(), Error> {
        self.end_array();
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.encoder)
    }

    fn end(self) -> Result<(), Error> {
        self.end_array();
        Ok(())
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.encoder)
    }

    fn end(self) -> Result<(), Error> {
        self.end_array();
        Ok(())
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        key.serialize(MapKey(&mut *self.encoder))
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.encoder)
    }

    fn end(self) -> Result<(), Error> {
        self.end_object();
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.encoder.key(key);
        value.serialize(&mut *self.encoder)
    }

    fn end(self) -> Result<(), Error> {
        self.end_object();
        Ok(())
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.encoder.key(key);
        value.serialize(&mut *self.encoder)
    }

    fn end(self) -> Result<(), Error> {
        self.end_object();
        Ok(())
    }
}

/// A map key: a string, written as a new key (map keys are not known in advance, so they
/// are not numbered). Anything else is an [`Error`].
impl ser::Serializer for MapKey<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.0.varint(NEW_KEY);
        self.0.bytes(v.as_bytes());
        // A new key every time: push a placeholder so the numbering stays in step with the
        // reader's, which numbers every new key it reads.
        self.0.keys.push("\0");
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_bool(self, _: bool) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_i8(self, _: i8) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_i16(self, _: i16) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_i32(self, _: i32) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_i64(self, _: i64) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_u8(self, _: u8) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_u16(self, _: u16) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_u32(self, _: u32) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_u64(self, _: u64) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_f32(self, _: f32) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_f64(self, _: f64) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_char(self, _: char) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_none(self) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(Error)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(Error)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(Error)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(Error)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(Error)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(Error)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[derive(serde::Serialize)]
    struct Inner<'a> {
        resource_type: &'a str,
        n: u32,
    }

    #[derive(serde::Serialize)]
    #[serde(tag = "kind", rename_all = "kebab-case")]
    enum Tagged<'a> {
        Granted(Inner<'a>),
        UnknownUser,
    }

    #[derive(serde::Serialize)]
    struct Outer<'a> {
        items: Vec<Inner<'a>>,
        none: Option<u8>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        skipped: Vec<u8>,
        reasons: [Tagged<'a>; 2],
        negative: i32,
    }

    #[test]
    fn structs_tagged_enums_and_keys_are_written_as_documented() {
        let value = Outer {
            items: vec![
                Inner {
                    resource_type: "é",
                    n: 300,
                },
                Inner {
                    resource_type: "",
                    n: 0,
                },
            ],
            none: None,
            skipped: Vec::new(),
            reasons: [
                Tagged::Granted(Inner {
                    resource_type: "a",
                    n: 1,
                }),
                Tagged::UnknownUser,
            ],
            negative: -2,
        };
        let bytes = encode(&value).unwrap();
        #[rustfmt::skip]
        let expected: Vec<u8> = vec![
            OBJECT, 4,
              1, 5, b'i', b't', b'e', b'm', b's', ARRAY, 2,
                OBJECT, 2,
                  1, 13, b'r', b'e', b's', b'o', b'u', b'r', b'c', b'e', b'_', b't', b'y', b'p', b'e',
                  STRING, 2, 0xc3, 0xa9,
                  1, 1, b'n', UINT, 0xac, 0x02,
                OBJECT, 2, 3, STRING, 0, 4, UINT, 0,
              1, 4, b'n', b'o', b'n', b'e', NULL,
              1, 7, b'r', b'e', b'a', b's', b'o', b'n', b's', ARRAY, 2,
                OBJECT, 3,
                  1, 4, b'k', b'i', b'n', b'd', STRING, 7, b'g', b'r', b'a', b'n', b't', b'e', b'd',
                  3, STRING, 1, b'a', 4, UINT, 1,
                OBJECT, 1, 7, STRING, 12, b'u', b'n', b'k', b'n', b'o', b'w', b'n', b'-', b'u', b's', b'e', b'r',
              1, 8, b'n', b'e', b'g', b'a', b't', b'i', b'v', b'e', NEGATIVE, 1,
        ];
        assert_eq!(bytes, expected);
    }
}
