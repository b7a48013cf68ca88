package io.skoop.testsupport

import io.skoop.diagnose.Diagnosis
import io.skoop.diagnose.Diagnostor
import io.skoop.diagnose.Query
import io.skoop.model.Protocol
import io.skoop.snapshot.Snapshot

/**
 * Diagnoses on the embedded flannel-vxlan snapshot, each run once per JVM (a diagnosis takes a second or two). Each
 * runs on a snapshot of its own: a snapshot's opened dumps accumulate over the diagnoses made on it.
 */
class Diagnoses {
    private static final Map<String, Diagnosis> CACHE = [:]

    /** A connection refused: default/client to default/sleeper:80 over the VXLAN overlay; FATAL in the pod, no reply. */
    static Diagnosis refused() {
        example('default/client', 'default/sleeper', '80')
    }

    /** A Service with three backends on three nodes, all answering: REACHABLE, replies from each. */
    static Diagnosis service() {
        example('default/client', 'svc/default/web', null)
    }

    /** The diagnosis of a TCP connection from {@code src} to {@code dst} on {@code port} (null: the Service's one port). */
    static synchronized Diagnosis example(String src, String dst, String port) {
        CACHE.computeIfAbsent("$src $dst $port".toString()) {
            new Diagnostor(Snapshot.example('flannel-vxlan')).diagnose(new Query(src, dst, port, Protocol.TCP))
        }
    }

    /** Hop to the messages of its FATAL and CRITICAL suspicions, over request and reply; hops without any left out. */
    static Map<String, List<String>> breakingHops(Diagnosis d) {
        Map<String, List<String>> out = [:]
        for (def n : d.request().nodes() + d.reply().nodes()) {
            List<String> m = n.suspicions().findAll { it.level().breaksFlow() }*.message()
            if (m) {
                out.computeIfAbsent(n.hop().toString()) { [] }.addAll(m)
            }
        }
        return out
    }
}
