// Reads the engine's structured answers: one compact byte string per answer, written by
// `wasm/src/values.rs` (which documents the format), turned here into plain objects in a
// single pass, keys in the package's camelCase.
import { RolegateError } from './errors.js';

const utf8 = new TextDecoder();

function camel(key) {
  return key.includes('_') ? key.replace(/_([a-z])/g, (_, c) => c.toUpperCase()) : key;
}

/** The value `bytes` (a Uint8Array) encodes. */
export function decode(bytes) {
  let at = 0;
  const keys = [];

  function varint() {
    let n = 0;
    let scale = 1;
    let b;
    do {
      b = bytes[at++];
      n += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    return n;
  }

  function string() {
    const end = varint() + at;
    const bytesOf = bytes.subarray(at, end);
    at = end;
    // Short ASCII strings (ids, names, permissions) as char codes — flat strings, no call
    // into the decoder; anything longer or not ASCII as UTF-8.
    if (bytesOf.length <= 64) {
      let ascii = true;
      for (let i = 0; i < bytesOf.length; i++) {
        if (bytesOf[i] > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) return String.fromCharCode.apply(null, bytesOf);
    }
    return utf8.decode(bytesOf);
  }

  /** A key, or undefined at the end of an object of unknown length. */
  function key() {
    const k = varint();
    if (k === 0) return undefined;
    if (k === 1) {
      const name = camel(string());
      keys.push(name);
      return name;
    }
    return keys[k - 2];
  }

  function value() {
    switch (bytes[at++]) {
      case 0: return null;
      case 1: return false;
      case 2: return true;
      case 3: return varint();
      case 4: return -1 - varint();
      case 5: {
        const v = new DataView(bytes.buffer, bytes.byteOffset + at, 8).getFloat64(0, true);
        at += 8;
        return v;
      }
      case 6: return string();
      case 7: {
        const n = varint();
        const list = new Array(n);
        for (let i = 0; i < n; i++) list[i] = value();
        return list;
      }
      case 8: {
        const n = varint();
        const object = {};
        for (let i = 0; i < n; i++) {
          const k = key();
          object[k] = value();
        }
        return object;
      }
      case 9: {
        const list = [];
        while (bytes[at] !== 11) list.push(value());
        at++;
        return list;
      }
      case 10: {
        const object = {};
        for (let k = key(); k !== undefined; k = key()) object[k] = value();
        return object;
      }
      default:
        throw new RolegateError('internal', `the engine's answer does not parse at byte ${at - 1}`);
    }
  }

  return value();
}
