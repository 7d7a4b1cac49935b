package io.ftvm.channel;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 primitives of the handshake and of per-frame authentication.
 *
 * <p>Proofs bind the prover's role, both HELLO bodies and both nonces, so a proof can be neither
 * reflected back nor replayed into another session. Session keys are derived HKDF-style: {@code prk
 * = HMAC(nonceP || nonceB, psk)}, {@code key(dir) = HMAC(prk, label(dir) || 0x01)}.
 */
final class SessionCrypto {
  static final int MAC_BYTES = 32;
  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] PROOF_LABEL =
      "ftvm-channel v1 auth".getBytes(StandardCharsets.US_ASCII);

  private SessionCrypto() {}

  static byte[] proof(PreSharedKey psk, Role prover, byte[] transcript) {
    Mac mac = newMac(psk.bytes());
    mac.update(PROOF_LABEL);
    mac.update((byte) prover.wireCode());
    return mac.doFinal(transcript);
  }

  static boolean proofMatches(byte[] expected, byte[] actual) {
    return MessageDigest.isEqual(expected, actual);
  }

  /** Key for frames travelling from {@code sender} to its peer. */
  static byte[] directionKey(
      PreSharedKey psk, byte[] primaryNonce, byte[] backupNonce, Role sender) {
    Mac extract = newMac(concat(primaryNonce, backupNonce));
    byte[] prk = extract.doFinal(psk.bytes());
    Mac expand = newMac(prk);
    expand.update(
        ("ftvm-channel v1 " + sender.name().toLowerCase() + "->peer")
            .getBytes(StandardCharsets.US_ASCII));
    return expand.doFinal(new byte[] {1});
  }

  static byte[] concat(byte[]... parts) {
    int total = 0;
    for (byte[] part : parts) {
      total += part.length;
    }
    ByteBuffer out = ByteBuffer.allocate(total);
    for (byte[] part : parts) {
      out.put(part);
    }
    return out.array();
  }

  static Mac newMac(byte[] key) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable in this JVM", e);
    }
  }

  /** Per-direction frame authenticator; event-loop confined (Mac is not thread-safe). */
  static final class FrameMac {
    private final Mac mac;
    private final byte direction;
    private long sequence;

    FrameMac(byte[] key, Role sender) {
      this.mac = newMac(key);
      this.direction = (byte) sender.wireCode();
    }

    /** MAC over (direction, next sequence number, body) and advances the sequence. */
    byte[] next(ByteBuf body) {
      mac.update(direction);
      mac.update(ByteBuffer.allocate(Long.BYTES).putLong(0, sequence).array());
      for (ByteBuffer part : body.nioBuffers(body.readerIndex(), body.readableBytes())) {
        mac.update(part);
      }
      sequence++;
      return mac.doFinal();
    }

    long sequence() {
      return sequence;
    }
  }
}
