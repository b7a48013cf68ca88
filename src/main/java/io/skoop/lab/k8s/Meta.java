package io.skoop.lab.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skoop.lab.topology.LabIds;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.UUID;

/**
 * What the apiserver fills in for every object (ObjectMeta, k8s.io/apimachinery/pkg/apis/meta/v1), made
 * deterministic for one lab: {@code uid} is {@code UUID.nameUUIDFromBytes("lab/Kind/namespace/name")}, so any kind
 * can name another object's uid (targetRef, ownerReferences) without rendering it; {@code resourceVersion}
 * counts up in render order, as etcd revisions do; every timestamp is {@code created} at second precision, in
 * RFC 3339 UTC ({@code 2026-11-21T10:00:00Z}, metav1.Time). Random names ({@code generateName}) take five
 * characters of apimachinery's {@code utilrand} alphabet, chosen by a hash instead of at random.
 */
final class Meta {
    /** apimachinery/pkg/util/rand: consonants and digits that cannot spell words. */
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private final String lab;
    private final String time;
    private int resourceVersion = 1000;

    Meta(String lab, Instant created) {
        this.lab = lab;
        this.time = DateTimeFormatter.ISO_INSTANT.format(created.truncatedTo(ChronoUnit.SECONDS));
    }

    /** The lab's creation time as metav1.Time prints it. */
    String time() {
        return time;
    }

    /** The uid of object {@code kind} {@code namespace/name} ({@code namespace} null for cluster-scoped kinds). */
    String uid(String kind, String namespace, String name) {
        return UUID.nameUUIDFromBytes(key(kind, namespace, name).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * A new object {@code {"apiVersion", "kind", "metadata": {creationTimestamp, name, namespace,
     * resourceVersion, uid}}}; {@code namespace} null for cluster-scoped kinds.
     */
    ObjectNode object(String apiVersion, String kind, String namespace, String name) {
        ObjectNode o = KubeJson.object();
        o.put("apiVersion", apiVersion);
        o.put("kind", kind);
        ObjectNode m = o.putObject("metadata");
        m.put("creationTimestamp", time);
        m.put("name", name);
        if (namespace != null) {
            m.put("namespace", namespace);
        }
        m.put("resourceVersion", String.valueOf(resourceVersion++));
        m.put("uid", uid(kind, namespace, name));
        return o;
    }

    /**
     * An ownerReferences entry as controllers write it ({@code metav1.NewControllerRef}): controller and
     * blockOwnerDeletion true.
     */
    ObjectNode controllerRef(String apiVersion, String kind, String namespace, String name) {
        ObjectNode r = KubeJson.object();
        r.put("apiVersion", apiVersion);
        r.put("blockOwnerDeletion", true);
        r.put("controller", true);
        r.put("kind", kind);
        r.put("name", name);
        r.put("uid", uid(kind, namespace, name));
        return r;
    }

    /** {@code length} characters of the utilrand alphabet derived from the lab and {@code parts}: a stable "random" name. */
    String randomString(int length, String... parts) {
        byte[] d = LabIds.digest(lab, parts);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(ALPHABET.charAt((d[i] & 0xff) % ALPHABET.length()));
        }
        return s.toString();
    }

    /** The lower-case hex SHA-256 of the lab name and {@code parts}: stand-in container IDs and machine IDs. */
    String hex(String... parts) {
        return HexFormat.of().formatHex(LabIds.digest(lab, parts));
    }

    /** The lower-case hex SHA-256 of {@code text} alone (the same in every lab): stand-in image digests. */
    static String digest(String text) {
        return HexFormat.of().formatHex(LabIds.digest(text));
    }

    private String key(String kind, String namespace, String name) {
        return lab + "/" + kind + "/" + (namespace == null ? "" : namespace) + "/" + name;
    }
}
