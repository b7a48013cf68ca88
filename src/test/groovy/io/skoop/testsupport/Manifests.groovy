package io.skoop.testsupport

import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory
import io.skoop.k8s.IPCache
import io.skoop.model.Prefix
import io.skoop.snapshot.k8s.KubeObjects
import java.nio.file.Files
import java.nio.file.Path

/**
 * Kubernetes manifests (multi-document YAML, as `kubectl apply -f` takes them) turned into a snapshot's k8s/ folder:
 * the objects a policy evaluation needs. Pods keep their manifests; a workload (Deployment, ReplicaSet, StatefulSet,
 * DaemonSet, Job, ReplicationController) becomes one Running pod named after it with its template's labels and container
 * ports; every pod without status.podIP gets the next address of the pod range (10.244.0.0/16 unless given) on
 * node-1, whose InternalIP is the range's first address (given nodes are kept as they are); namespaces used but not
 * given are created with the label the API server always sets, kubernetes.io/metadata.name. List manifests
 * (kind: List / PodList / …) are unpacked, their items' kind taken from the list's name when they have none; other
 * kinds (RBAC, ServiceAccounts …) are ignored.
 */
class Manifests {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
    static final ObjectMapper JSON = new ObjectMapper()
    static final Set<String> WORKLOADS = ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController', 'CronJob'] as Set

    /** The objects of {@code yaml} as the snapshot reader reads them (written to a temp k8s/ folder, read back, deleted). */
    static KubeObjects objects(String yaml, Prefix podRange = Prefix.parse('10.244.0.0/16')) {
        Path dir = Files.createTempDirectory('skoop-manifests')
        try {
            write(yaml, dir, podRange)
            return KubeObjects.read(dir)
        } finally {
            dir.toFile().deleteDir()
        }
    }

    /** An IPCache over {@link #objects}, cluster CIDR 10.244.0.0/16, service CIDR 10.96.0.0/12. */
    static IPCache cache(String yaml) {
        new IPCache(objects(yaml), Prefix.parse('10.244.0.0/16'), Prefix.parse('10.96.0.0/12'))
    }

    /** Writes the k8s/ files of {@code yaml} into {@code dir}. */
    static void write(String yaml, Path dir, Prefix podRange = Prefix.parse('10.244.0.0/16')) {
        List<Map> docs = []
        YAML.readerFor(Object).readValues(yaml).readAll().each { d -> if (d instanceof Map && d) docs.addAll(unpack(d as Map)) }
        Map<String, List<Map>> byKind = [namespaces: [], nodes: [], pods: [], services: [], endpointslices: [], configmaps: [],
                                          networkpolicies: [], adminnetworkpolicies: [], baselineadminnetworkpolicies: []]
        int next = 2
        Set<String> namespaces = [] as Set
        for (Map d : docs) {
            String kind = d.kind
            if (kind == 'Namespace') {
                Map meta = d.metadata ?: [:]
                meta.labels = [('kubernetes.io/metadata.name'): meta.name] + (meta.labels ?: [:])
                byKind.namespaces << d
                continue
            }
            String ns = d.metadata?.namespace ?: 'default'
            if (kind in ['Pod'] + WORKLOADS) {
                Map pod = kind == 'Pod' ? d : podOf(d)
                pod.metadata.namespace = ns
                pod.spec = pod.spec ?: [:]
                pod.spec.nodeName = pod.spec.nodeName ?: 'node-1'
                pod.status = pod.status ?: [:]
                pod.status.phase = pod.status.phase ?: 'Running'
                if (!pod.status.podIP && !pod.spec.hostNetwork) {
                    pod.status.podIP = podRange.address().plus(next++).toString()
                    pod.status.podIPs = [[ip: pod.status.podIP]]
                }
                byKind.pods << pod
                namespaces << ns
            } else if (kind == 'NetworkPolicy') {
                d.metadata.namespace = ns
                byKind.networkpolicies << d
                namespaces << ns
            } else if (kind == 'AdminNetworkPolicy') {
                byKind.adminnetworkpolicies << d
            } else if (kind == 'BaselineAdminNetworkPolicy') {
                byKind.baselineadminnetworkpolicies << d
            } else if (kind == 'Service') {
                d.metadata.namespace = ns
                byKind.services << d
            } else if (kind == 'Node') {
                byKind.nodes << d
            }
        }
        Set<String> given = byKind.namespaces.collect { it.metadata.name } as Set
        (namespaces - given).sort().each { n ->
            byKind.namespaces << [apiVersion: 'v1', kind: 'Namespace', metadata: [name: n, labels: [('kubernetes.io/metadata.name'): n]]]
        }
        if (!byKind.nodes) {
            byKind.nodes << [apiVersion: 'v1', kind: 'Node', metadata: [name: 'node-1', labels: [('kubernetes.io/hostname'): 'node-1']],
                             spec: [podCIDR: podRange.toString()], status: [addresses: [[type: 'InternalIP', address: podRange.address().plus(1).toString()]]]]
        }
        Files.createDirectories(dir)
        byKind.each { k, items ->
            if (k in ['adminnetworkpolicies', 'baselineadminnetworkpolicies'] && !items) {
                return
            }
            dir.resolve(k + '.json').text = JSON.writeValueAsString([apiVersion: 'v1', kind: 'List', items: items])
        }
    }

    private static List<Map> unpack(Map d) {
        String kind = d.kind?.toString()
        if (kind?.endsWith('List') && d.items instanceof List) {
            String itemKind = kind == 'List' ? null : kind[0..-5]
            return (d.items as List<Map>).findAll { it instanceof Map }.collectMany { Map i -> unpack(i.kind || !itemKind ? i : i + [kind: itemKind]) }
        }
        [d]
    }

    /** The one pod a workload stands for: its pod template's labels and containers. */
    private static Map podOf(Map w) {
        Map template = w.kind == 'CronJob' ? w.spec?.jobTemplate?.spec?.template : w.spec?.template
        [apiVersion: 'v1', kind: 'Pod',
         metadata: [name: w.metadata.name, namespace: w.metadata.namespace, labels: template?.metadata?.labels ?: [:]],
         spec: [containers: template?.spec?.containers ?: [], hostNetwork: template?.spec?.hostNetwork ?: false]]
    }
}
