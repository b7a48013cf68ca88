package io.skoop.netstack.parse

import io.skoop.netstack.DumpMeta
import io.skoop.netstack.DumpFixtures
import spock.lang.Specification

class DumpMetaParserSpec extends Specification {

    def "meta.json of #dir: #file is #status"() {
        when:
        def meta = DumpMetaParser.parse('meta.json', DumpFixtures.text("netstack/dump/$dir/meta.json"))
        def c = meta.of(file).orElseThrow()

        then:
        meta.format() == 1
        meta.kernel() ==~ /\d+\.\d+.*/
        meta.time() ==~ /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/
        meta.collected().size() == 15
        c.status() == status
        c.exit() == exit
        c.tool() == tool
        meta.isCollected(file) == (status == DumpMeta.Status.OK)
        (getClass().getResource("/netstack/dump/$dir/$file") != null) == (status == DumpMeta.Status.OK)

        where:
        dir    | file           | tool            | status                   | exit
        'node' | 'link.json'    | 'ip'            | DumpMeta.Status.OK       | 0
        'node' | 'iptables.txt' | 'iptables-save' | DumpMeta.Status.OK       | 0
        'node' | 'ipset.txt'    | 'ipset'         | DumpMeta.Status.OK       | 0
        'node' | 'ipvs.txt'     | 'ipvsadm'       | DumpMeta.Status.FAILED   | 2
        'peer' | 'nft.json'     | 'nft'           | DumpMeta.Status.MISSING  | 127
        'peer' | 'ipset.txt'    | 'ipset'         | DumpMeta.Status.MISSING  | 127
        'peer' | 'ipvs.txt'     | 'ipvsadm'       | DumpMeta.Status.MISSING  | 127
        'peer' | 'sockets.txt'  | 'ss'            | DumpMeta.Status.OK       | 0
    }

    def "missing and failed lists; stderr's first line and the command are kept"() {
        when:
        def node = DumpMetaParser.parse('meta.json', DumpFixtures.text('netstack/dump/node/meta.json'))
        def peer = DumpMetaParser.parse('meta.json', DumpFixtures.text('netstack/dump/peer/meta.json'))

        then:
        node.missing().isEmpty()
        node.failed()*.file() == ['ipvs.txt']
        node.failed()[0].stderr().contains('ip_vs')
        node.of('sockets.txt').get().command() == 'ss -H -t -u -l -n -p -e'
        peer.missing()*.tool() == ['nft', 'ipset', 'ipvsadm']
        peer.missing()[0].stderr() == 'nft: command not found'
        node.netns().endsWith('-node')
    }

    def "an unknown status is kept as UNKNOWN"() {
        expect:
        DumpMetaParser.parse('meta.json', '{"format":1,"collected":[{"file":"a","tool":"b","command":"b","status":"skipped","exit":0}]}')
                .collected()[0].with { status() == DumpMeta.Status.UNKNOWN && statusText() == 'skipped' }
    }

    def "malformed meta.json: #why"() {
        when:
        DumpMetaParser.parse('meta.json', text)

        then:
        def e = thrown(ParseException)
        e.file() == 'meta.json'
        e.message.contains(expected)

        where:
        why               | text                                          | expected
        'not JSON'        | '{"format":'                                  | 'malformed JSON'
        'array'           | '[]'                                          | 'expected a JSON object'
        'newer format'    | '{"format":2,"collected":[]}'                 | 'unsupported dump format version'
        'no format'       | '{"collected":[]}'                            | "key 'format': expected an integer"
        'no collected'    | '{"format":1}'                                | "key 'collected': expected an array"
        'entry w/o file'  | '{"format":1,"collected":[{"status":"ok"}]}'  | "entry 0 key 'file': expected to be present"
    }
}
