package io.dbops.controlplane.tls;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;

/** The few DER encodings and reads that PEM key conversion needs. Stateless. */
final class Der {
  private Der() {}

  static byte[] sequence(byte[] content) {
    return tlv(0x30, content);
  }

  static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n & 0xff);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write((n >> 8) & 0xff);
      out.write(n & 0xff);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  /**
   * The named-curve OID (as a whole DER TLV) of a SEC1 ECPrivateKey: SEQUENCE { INTEGER 1,
   * OCTET STRING key, [0] parameters OPTIONAL, [1] publicKey OPTIONAL }; null when it names none.
   */
  static byte[] ecCurveOid(byte[] sec1) throws GeneralSecurityException {
    int[] pos = {0};
    expect(sec1, pos, 0x30);
    int end = length(sec1, pos) + pos[0];
    while (pos[0] < end) {
      int tag = sec1[pos[0]++] & 0xff;
      int len = length(sec1, pos);
      if (tag == 0xa0) {
        int start = pos[0];
        if ((sec1[start] & 0xff) != 0x06) {
          break;
        }
        byte[] oid = new byte[len];
        System.arraycopy(sec1, start, oid, 0, len);
        return oid;
      }
      pos[0] += len;
    }
    return null;
  }

  /** The first element (whole TLV) inside a DER SEQUENCE. */
  static byte[] firstElement(byte[] sequence) throws GeneralSecurityException {
    int[] pos = {0};
    expect(sequence, pos, 0x30);
    length(sequence, pos);
    int start = pos[0];
    pos[0]++; // the element's tag
    int len = length(sequence, pos);
    int end = pos[0] + len;
    if (end > sequence.length) {
      throw new GeneralSecurityException("malformed DER key");
    }
    byte[] element = new byte[end - start];
    System.arraycopy(sequence, start, element, 0, element.length);
    return element;
  }

  private static void expect(byte[] der, int[] pos, int tag) throws GeneralSecurityException {
    if (der.length == 0 || (der[pos[0]++] & 0xff) != tag) {
      throw new GeneralSecurityException("malformed DER key");
    }
  }

  private static int length(byte[] der, int[] pos) throws GeneralSecurityException {
    if (pos[0] >= der.length) {
      throw new GeneralSecurityException("malformed DER key");
    }
    int first = der[pos[0]++] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int count = first & 0x7f;
    if (count > 3 || pos[0] + count > der.length) {
      throw new GeneralSecurityException("malformed DER key");
    }
    int len = 0;
    for (int i = 0; i < count; i++) {
      len = (len << 8) | (der[pos[0]++] & 0xff);
    }
    return len;
  }
}
