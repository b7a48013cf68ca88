package io.skoop.plugin.networkpolicy

import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory
import io.skoop.k8s.IPCache
import io.skoop.model.Ip
import io.skoop.model.Prefix
import io.skoop.model.Protocol
import io.skoop.testsupport.Manifests
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Unroll

/**
 * The intent evaluator against public reference suites read as data (src/test/resources/networkpolicy/reference,
 * README there): np-guard netpol-analyzer's connlist goldens and kubernetes-sigs/network-policy-api's v1alpha1
 * conformance probes. Every verdict line is checked at the ends and the middle of each port range and of each external
 * address range (a policy decides on ranges, so a disagreement inside a range shows at one of them unless a policy
 * boundary falls strictly inside — which the golden's ranges rule out: they are split at every policy boundary).
 * Writes target/networkpolicy-reference.md: cases, lines and probes per suite, and every disagreement.
 */
class NetworkPolicyReferenceSpec extends Specification {
    static final Path DIR = Path.of('src/test/resources/networkpolicy/reference')
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
    /** Pod ranges to choose from: the first that no CIDR of the case overlaps (ipBlocks must not select pods here). */
    static final List<Prefix> POD_RANGES = ['10.244.0.0/16', '100.64.0.0/16', '198.18.0.0/16', '172.31.0.0/16'].collect { Prefix.parse(it) }

    @Shared List<Map> results = []

    static List<Path> cases() {
        Files.list(DIR).filter { Files.isDirectory(it) }.sorted().toList().collectMany { suite ->
            Files.list(suite).filter { Files.exists(it.resolve('expected.txt')) }.sorted().toList()
        }
    }

    def cleanupSpec() {
        Path out = Path.of('target/networkpolicy-reference.md')
        Files.createDirectories(out.parent)
        StringBuilder sb = new StringBuilder('# NetworkPolicy intent evaluator vs public reference suites\n\n')
        sb << '| suite | cases | cases agreeing | verdict lines | probes | agree | differ by design: hostNetwork pods | disagree |\n|---|---|---|---|---|---|---|---|\n'
        results.groupBy { it.suite }.each { suite, rs ->
            sb << "| $suite | ${rs.size()} | ${rs.count { it.wrong.isEmpty() && it.hostNetwork.isEmpty() }} | ${rs.sum { it.lines }} | ${rs.sum { it.probes }} |" +
                    " ${rs.sum { it.probes - it.wrong.size() - it.hostNetwork.size() }} | ${rs.sum { it.hostNetwork.size() }} | ${rs.sum { it.wrong.size() }} |\n"
        }
        sb << '\nBy design: Kubernetes NetworkPolicies do not select hostNetwork pods (they share the node\'s address, and the'
        sb << ' policies of a pod are enforced in its own network namespace); skoop treats them as their node. netpol-analyzer'
        sb << ' analyses them as ordinary pods. Cases with such differences: '
        sb << results.findAll { it.hostNetwork }.collect { "${it.suite}/${it.name} (${it.hostNetwork.size()})" }.join(', ') << '\n'

        results.findAll { it.wrong }.each { r ->
            sb << "\n## ${r.suite}/${r.name}\n\n"
            r.wrong.take(20).each { sb << "- $it\n" }
        }
        out.text = sb.toString()
    }

    @Unroll
    def "#suite/#name: every probe of the expected table agrees"() {
        given:
        List<String> lines = Files.readAllLines(dir.resolve('expected.txt'))
        Path mutations = dir.resolve('expected.mutations.txt')
        if (Files.exists(mutations)) {
            lines += Files.readAllLines(mutations)
        }
        String yaml = Files.readString(dir.resolve('objects.yaml'))
        List docs = YAML.readerFor(Object).readValues(yaml).readAll().findAll { it instanceof Map }
        Prefix podRange = podRange(yaml)
        Map<String, String> podOf = [:]
        lines.findAll { it.startsWith('WORKLOAD ') }.each { String l ->
            def m = l =~ /^WORKLOAD (\S+) \S+(?: pods=(\S+))?$/
            assert m.matches(): l
            String ns = m.group(1).split('/')[0]
            podOf[m.group(1)] = m.group(2) ? ns + '/' + m.group(2).split(',')[0] : m.group(1)
        }

        when:
        int probes = 0
        int verdicts = 0
        List<String> wrong = []
        List<String> hostNetwork = []
        IPCache cache = cacheOf(docs, podRange)
        PolicyEvaluator evaluator = new PolicyEvaluator(cache)
        for (String line : lines) {
            if (line.startsWith('MUTATE ')) {
                mutate(docs, line.substring(7).split(' ') as List)
                cache = cacheOf(docs, podRange)
                evaluator = new PolicyEvaluator(cache)
                continue
            }
            def m = line =~ /^(ALLOW|DENY) (\S+) (\S+) (TCP|UDP|SCTP)\/(\S+)$/
            if (!m.matches()) {
                continue
            }
            verdicts++
            boolean allow = m.group(1) == 'ALLOW'
            List<Ip> srcs = addresses(m.group(2), podOf, cache, podRange)
            List<Ip> dsts = addresses(m.group(3), podOf, cache, podRange)
            Protocol proto = Protocol.parse(m.group(4))
            for (Ip s : srcs) {
                for (Ip d : dsts) {
                    for (int port : ports(m.group(5))) {
                        probes++
                        PolicyVerdict v = evaluator.evaluate(s, d, port, proto)
                        boolean onHost = [m.group(2), m.group(3)].any { hostNetworked(cache, it, podOf) }
                        if (v.allowed() != allow) {
                            (onHost ? hostNetwork : wrong) << "${m.group(1)} ${m.group(2)} -> ${m.group(3)} $proto/$port (probed $s -> $d): skoop says ${v.explain()}".toString()
                        }
                    }
                }
            }
        }
        results << [suite: suite, name: name, lines: verdicts, probes: probes, wrong: wrong, hostNetwork: hostNetwork]

        then: 'every probe agrees, except where the suite analyses hostNetwork pods as pods (reported)'
        probes > 0
        wrong.isEmpty()

        where:
        dir << cases()
        suite = dir.parent.fileName.toString()
        name = dir.fileName.toString()
    }

    static IPCache cacheOf(List docs, Prefix podRange) {
        String yaml = docs.collect { YAML.writeValueAsString(it) }.join('\n')
        new IPCache(Manifests.objects(yaml, podRange), podRange, null)
    }

    /** Whether a workload's pods run on the host network. */
    static boolean hostNetworked(IPCache cache, String peer, Map<String, String> podOf) {
        if (peer.startsWith('ipblock:')) {
            return false
        }
        def (String ns, String pod) = podOf[peer].split('/')
        cache.pod(ns, pod).hostNetwork()
    }

    /** The first candidate pod range no CIDR written in the case overlaps (0.0.0.0/0 aside: it holds every range). */
    static Prefix podRange(String yaml) {
        List<Prefix> cidrs = (yaml =~ /\b(\d+\.\d+\.\d+\.\d+\/\d+)\b/).collect { Prefix.parse(it[1]) }.findAll { it.length() > 0 }
        POD_RANGES.find { r -> cidrs.every { c -> !c.contains(r.address()) && !r.contains(c.address()) } }
    }

    /** The address of a workload's first pod, or the ends and middle of an external range (skipping cluster addresses). */
    static List<Ip> addresses(String peer, Map<String, String> podOf, IPCache cache, Prefix podRange) {
        if (!peer.startsWith('ipblock:')) {
            String key = podOf[peer]
            assert key: "no WORKLOAD line for $peer"
            def (ns, pod) = key.split('/')
            return [cache.pod(ns, pod).podIP()]
        }
        def (String a, String b) = peer.substring(8).split('-')
        long lo = Ip.parse(a).lo()
        long hi = Ip.parse(b).lo()
        [lo, hi, lo + (hi - lo).intdiv(2)].unique().collect { v4(it) }.findAll { !podRange.contains(it) }
    }

    static Ip v4(long v) {
        Ip.parse("${(v >> 24) & 255}.${(v >> 16) & 255}.${(v >> 8) & 255}.${v & 255}")
    }

    /** The ends and middle of every range of {@code 1-79,81-65535}. */
    static List<Integer> ports(String ranges) {
        ranges.split(',').collectMany { String r ->
            def (String a, String b) = r.contains('-') ? r.split('-') : [r, r]
            int lo = a as int
            int hi = b as int
            [lo, hi, lo + (hi - lo).intdiv(2)].unique()
        }
    }

    /** README's MUTATE operations: swap, set, delete on the case's objects. */
    static void mutate(List docs, List<String> op) {
        Map target = find(docs, op[1])
        switch (op[0]) {
            case 'swap':
                List rules = target.spec[op[2].substring(5)]
                int i = op[3] as int
                int j = op[4] as int
                def t = rules[i]; rules[i] = rules[j]; rules[j] = t
                break
            case 'set':
                def m = op[2] =~ /^spec\.(priority|(ingress|egress)\[(\d+)\]\.action)$/
                assert m.matches(): op
                if (m.group(1) == 'priority') {
                    target.spec.priority = op[3] as int
                } else {
                    target.spec[m.group(2)][m.group(3) as int].action = op[3]
                }
                break
            case 'delete':
                docs.remove(target)
                break
            default:
                assert false: "unknown MUTATE $op"
        }
    }

    static Map find(List docs, String ref) {
        List<String> parts = ref.split('/') as List
        Map found = docs.find { Map d ->
            d.kind == parts[0] && (parts.size() == 2 ? d.metadata?.name == parts[1]
                    : (d.metadata?.namespace ?: 'default') == parts[1] && d.metadata?.name == parts[2])
        } as Map
        assert found: "no object $ref"
        found
    }
}
