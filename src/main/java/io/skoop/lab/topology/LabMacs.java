package io.skoop.lab.topology;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic hardware addresses for the lab's devices, so that two builds of the same
 * topology (and the snapshots taken of them) are identical. The kernel and flanneld would pick
 * random ones; a lab MAC is equally a locally administered unicast address (IEEE 802: bit 1 of
 * the first octet set, bit 0 clear), derived from the SHA-256 of the lab name and the device's
 * identity.
 */
public final class LabMacs {

    private LabMacs() {
    }

    /**
     * The MAC of a device, e.g. {@code of("vxlan", "node-1", "flannel.1")}.
     *
     * @param lab   the lab cluster's name
     * @param parts what identifies the device within the lab (node or pod key, device name)
     * @return lower-case, colon-separated, e.g. {@code 4a:1f:03:9c:22:e1}
     */
    public static String of(String lab, String... parts) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
        sha.update(lab.getBytes(StandardCharsets.UTF_8));
        for (String p : parts) {
            sha.update((byte) 0);
            sha.update(p.getBytes(StandardCharsets.UTF_8));
        }
        byte[] d = sha.digest();
        d[0] = (byte) ((d[0] & 0xfc) | 0x02);
        StringBuilder s = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(String.format("%02x", d[i] & 0xff));
        }
        return s.toString();
    }
}
