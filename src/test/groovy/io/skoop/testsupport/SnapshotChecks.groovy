package io.skoop.testsupport

import groovy.json.JsonSlurper
import io.skoop.lab.k8s.ClusterObjects
import io.skoop.lab.topology.ResolvedTopology
import io.skoop.lab.topology.TopologyLoader
import io.skoop.netstack.NetNS
import io.skoop.snapshot.SnapshotLayout
import io.skoop.snapshot.SnapshotMeta
import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant

/**
 * What every cluster snapshot written by the lab must satisfy (docs/snapshot.md): the layout, one dump per node and
 * per pod, every dump read by the engine completely with no construct it cannot evaluate, and Kubernetes objects
 * that are exactly those of the topology it records. Each method returns a list of problems (empty = fine), so a
 * failing spec says what is wrong.
 */
class SnapshotChecks {

    /** Problems of the snapshot in {@code dir}; empty when it is sound. */
    static List<String> problems(Path dir) {
        List<String> p = []
        SnapshotMeta meta = SnapshotMeta.read(dir)
        // topology.yaml is the file as given; a lab started with --name records its name in snapshot.json
        ResolvedTopology t = TopologyLoader.parse('topology.yaml', dir.resolve('topology.yaml').toFile().text).withName(meta.name())
        // a dual-stack lab's: one CIDR per family, comma-separated as the flags write them
        if (meta.clusterCIDRs() != [t.clusterCIDR(), t.ipv6()?.clusterCIDR()] - null || meta.serviceCIDRs() != [t.serviceCIDR(), t.ipv6()?.serviceCIDR()] - null) {
            p << "snapshot.json CIDRs ${meta.clusterCIDR()} ${meta.serviceCIDR()} differ from the topology's"
        }
        List<Path> dumps = t.nodes().collect { SnapshotLayout.host(dir, it.name()) } +
                t.pods().collect { SnapshotLayout.pod(dir, it.node(), it.namespace(), it.name()) }
        List<Path> onDisk = []
        Files.list(dir.resolve('nodes')).each { n ->
            onDisk << n.resolve('host')
            if (Files.isDirectory(n.resolve('pods'))) {
                Files.list(n.resolve('pods')).each { onDisk << it }
            }
        }
        if (onDisk.sort() != dumps.sort()) {
            p << "dumps on disk ${onDisk.collect { dir.relativize(it) }} are not one per node and pod ${dumps.collect { dir.relativize(it) }}"
        }
        dumps.findAll { Files.isDirectory(it) }.each { p.addAll(dumpProblems(dir.relativize(it).toString(), NetNS.load(it))) }

        def rendered = ClusterObjects.render(t, Instant.parse(meta.createdAt()))
        rendered.each { kind, list ->
            Path f = SnapshotLayout.k8s(dir).resolve(kind + '.json')
            if (!Files.isRegularFile(f)) {
                p << "k8s/${kind}.json missing"
            } else if (f.toFile().text != ClusterObjects.print(list)) {
                p << "k8s/${kind}.json differs from the objects of topology.yaml at ${meta.createdAt()}"
            }
        }
        def pods = new JsonSlurper().parse(SnapshotLayout.k8s(dir).resolve('pods.json').toFile())
        pods.items.findAll { !it.spec.hostNetwork }.each { pod ->
            if (!Files.isDirectory(SnapshotLayout.pod(dir, pod.spec.nodeName, pod.metadata.namespace, pod.metadata.name))) {
                p << "pod ${pod.metadata.namespace}/${pod.metadata.name} has no dump"
            }
        }
        return p
    }

    /** Reads every part of a dump; lists what the engine could not read or evaluate. */
    static List<String> dumpProblems(String name, NetNS ns) {
        List<String> p = []
        ns.interfaces()
        ns.router()
        ns.neighbours()
        ns.fdb()
        ns.sockets()
        ns.sysctls()
        ns.ipsets()
        [ns.iptables(), ns.ip6tables()].each { rs ->
            rs.tables().values().each { table ->
                table.chains().values().each { chain ->
                    chain.rules().findAll { it.hasUnknown() }.each { p << "$name: rule we cannot evaluate: ${it.ref()} ${it.text()}" }
                }
            }
        }
        ns.nftTablesNotSimulated().each { p << "$name: nftables table not simulated: $it" }
        List<String> missing = ns.untrusted().findAll { it.file().fileName.toString() != 'ipvs.txt' }*.describe()
        if (missing) {
            p << "$name: not collected: $missing"
        }
        return p
    }
}
