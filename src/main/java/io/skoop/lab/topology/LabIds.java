package io.skoop.lab.topology;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic identifiers for the lab's devices — hardware addresses and generated interface
 * names — so that two builds of the same topology (and the snapshots taken of them) are
 * identical. The kernel, the CNI plugins and flanneld would pick random ones; the lab derives
 * them from the SHA-256 of the lab name and the device's identity.
 */
public final class LabIds {

    private LabIds() {
    }

    /**
     * The MAC of a device, e.g. {@code mac("vxlan", "node-1", "flannel.1")}: a locally administered unicast
     * address (IEEE 802: bit 1 of the first octet set, bit 0 clear).
     *
     * @param lab   the lab cluster's name
     * @param parts what identifies the device within the lab (node or pod key, device name)
     * @return lower-case, colon-separated, e.g. {@code 4a:1f:03:9c:22:e1}
     */
    public static String mac(String lab, String... parts) {
        byte[] d = digest(lab, parts);
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

    /**
     * {@code digits} lower-case hex digits identifying a device, e.g. the 8 after {@code veth} in a pod's host-side
     * veth name (the CNI bridge plugin's {@code ip.RandomVethName} is {@code veth} + 8 random hex digits).
     *
     * @param digits 1..64
     */
    public static String hex(int digits, String lab, String... parts) {
        if (digits < 1 || digits > 64) {
            throw new IllegalArgumentException("digits must be 1..64, got " + digits);
        }
        StringBuilder s = new StringBuilder(64);
        for (byte b : digest(lab, parts)) {
            s.append(String.format("%02x", b & 0xff));
        }
        return s.substring(0, digits);
    }

    /**
     * The SHA-256 of {@code lab} and each of {@code parts}, every part preceded by a NUL byte: the source of every
     * lab identifier (also the k8s objects' stand-in IDs and names).
     */
    public static byte[] digest(String lab, String... parts) {
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
        return sha.digest();
    }
}
