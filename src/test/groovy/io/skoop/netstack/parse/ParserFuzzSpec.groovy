package io.skoop.netstack.parse

import io.skoop.netstack.route.Router
import io.skoop.snapshot.k8s.KubeObjects
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * A bounded fuzzer for every parser of the dump and of the k8s objects: each iteration mutates a real dump file
 * (the kernel-captured fixtures, the embedded example's objects) — spans deleted or repeated, lines swapped, numbers
 * changed, tokens that parsers trip on inserted — and parses it; JSON routes and rules are also built into a
 * {@link Router}. Every outcome must be a value or a {@link ParseException} (or, for the k8s objects, the parse error
 * naming the file): no other exception, no hang. Reproducible: a fixed seed per parser; {@code -Dskoop.fuzz.iterations=N}
 * runs longer (default 1500 a parser, a few seconds in all).
 */
class ParserFuzzSpec extends Specification {
    static final int ITERATIONS = Integer.getInteger('skoop.fuzz.iterations', 1500)
    static final Path DUMP = Path.of('src/test/resources/netstack/dump/node')
    static final Path K8S = Path.of('src/main/resources/io/skoop/snapshots/flannel-vxlan/k8s')
    static final List<String> TOKENS = ['"', '{', '}', '[', ']', ',', ':', '::', '-1', '0', '4294967296', '99999999999999999999',
                                        '1e999', 'null', 'true', '""', '/33', '/-1', '!', '! !', '--', '-j', '-m', '-A', 'COMMIT', '*nat',
                                        ':X - [0:0]', '\u0000', '\t', ' = ', '\n', '\r\n', '255.255.255.256', 'fe80::1%eth0',
                                        '[1:2]', '[-1:0]', '0x', '0xffffffffff', 'users:((', 'ino:', 'v6only:2', '-A -A', '%']

    @TempDir @Shared Path tmp

    static String mutate(String text, Random r) {
        StringBuilder s = new StringBuilder(text)
        int ops = 1 + r.nextInt(4)
        ops.times {
            int n = s.length()
            int at = n == 0 ? 0 : r.nextInt(n)
            switch (r.nextInt(6)) {
                case 0: s.delete(at, Math.min(n, at + 1 + r.nextInt(40))); break
                case 1: s.insert(at, s.substring(at, Math.min(n, at + 1 + r.nextInt(60)))); break
                case 2: s.insert(at, TOKENS[r.nextInt(TOKENS.size())]); break
                case 3:
                    def m = (s.toString() =~ /\d+/)
                    List<int[]> spans = []
                    while (m.find() && spans.size() < 200) { spans << ([m.start(), m.end()] as int[]) }
                    if (spans) {
                        int[] sp = spans[r.nextInt(spans.size())]
                        s.replace(sp[0], sp[1], ['0', '65536', '-7', '4294967295', '18446744073709551616', '255'][r.nextInt(6)])
                    }
                    break
                case 4:
                    List<String> lines = s.toString().split('\n', -1) as List
                    if (lines.size() > 2) {
                        Collections.swap(lines, r.nextInt(lines.size()), r.nextInt(lines.size()))
                        s.setLength(0)
                        s.append(lines.join('\n'))
                    }
                    break
                default: s.setLength(r.nextInt(n + 1)) // cut
            }
        }
        s.toString()
    }

    /** name → [seed file, parse(text)] */
    static final Map<String, List> PARSERS = [
            'iptables-save'  : ['iptables.txt', { String t -> IptablesSaveParser.parse('iptables.txt', t, false) }],
            'ip6tables-save' : ['ip6tables.txt', { String t -> IptablesSaveParser.parse('ip6tables.txt', t, true) }],
            'ipset save'     : ['ipset.txt', { String t -> IpsetParser.parse('ipset.txt', t) }],
            'sysctl -a'      : ['sysctl.txt', { String t -> SysctlParser.parse('sysctl.txt', t) }],
            'ss'             : ['sockets.txt', { String t -> SocketParser.parse('sockets.txt', t) }],
            'ip neigh'       : ['neigh.json', { String t -> NeighParser.parse('neigh.json', t) }],
            'bridge fdb'     : ['fdb.json', { String t -> FdbParser.parse('fdb.json', t) }],
            'nft -j'         : ['nft.json', { String t -> NftParser.tables('nft.json', t) }],
            'meta.json'      : ['meta.json', { String t -> DumpMetaParser.parse('meta.json', t) }],
            'ip link + addr' : ['link.json', { String t -> InterfaceParser.parse('link.json', t, 'addr.json', DUMP.resolve('addr.json').text) }],
            'ip addr'        : ['addr.json', { String t -> InterfaceParser.parse('link.json', DUMP.resolve('link.json').text, 'addr.json', t) }],
            'ip route → Router': ['route.json', { String t -> router(RouteParser.parse('route.json', t, 4), null) }],
            'ip rule → Router' : ['rule.json', { String t -> router(null, RuleParser.parse('rule.json', t)) }],
            'ip -6 route'    : ['route6.json', { String t -> RouteParser.parse('route6.json', t, 6) }],
    ]

    static Router router(List routes, List rules) {
        def ifs = InterfaceParser.parse('link.json', DUMP.resolve('link.json').text, 'addr.json', DUMP.resolve('addr.json').text)
        new Router(ifs, routes ?: RouteParser.parse('route.json', DUMP.resolve('route.json').text, 4),
                rules ?: RuleParser.parse('rule.json', DUMP.resolve('rule.json').text), [], [:])
    }

    def "#name: mutated inputs give a value or a ParseException, nothing else"() {
        given:
        String seed = DUMP.resolve(PARSERS[name][0]).text
        Closure parse = PARSERS[name][1]
        Random r = new Random(name.hashCode())
        List<String> crashes = []
        int refused = 0

        when:
        ITERATIONS.times { i ->
            String input = mutate(seed, r)
            try {
                parse(input)
            } catch (ParseException e) {
                refused++
            } catch (Throwable e) {
                if (crashes.size() < 5) {
                    crashes << "iteration $i: $e\n--- input (first 300 chars):\n${input.take(300)}"
                }
            }
        }

        then:
        crashes.isEmpty() || { throw new AssertionError("${name}: ${crashes.size()}+ crashes\n" + crashes.join('\n')) }()
        refused > 0 // the mutations do break things: the check can fail

        where:
        name << PARSERS.keySet()
    }

    def "k8s #file: mutated lists give objects or a parse error naming the file"() {
        given:
        Path dir = tmp.resolve("k8s-$file")
        Files.createDirectories(dir)
        K8S.toFile().eachFile { Files.copy(it.toPath(), dir.resolve(it.name), java.nio.file.StandardCopyOption.REPLACE_EXISTING) }
        String seed = K8S.resolve(file).text
        Random r = new Random(file.hashCode())
        List<String> crashes = []
        int refused = 0
        int iterations = Math.max(1, ITERATIONS.intdiv(5))

        when:
        iterations.times { i ->
            String input = mutate(seed, r)
            dir.resolve(file).text = input
            try {
                KubeObjects.read(dir)
            } catch (ParseException e) {
                refused++
                assert e.message.contains(file)
            } catch (Throwable e) {
                if (crashes.size() < 5) {
                    crashes << "iteration $i: $e"
                }
            }
        }

        then:
        crashes.isEmpty() || { throw new AssertionError("${file}: crashes\n" + crashes.join('\n')) }()
        refused > 0

        where:
        file << ['pods.json', 'nodes.json', 'services.json', 'endpointslices.json', 'namespaces.json']
    }
}
