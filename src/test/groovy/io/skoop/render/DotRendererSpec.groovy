package io.skoop.render

import io.skoop.model.Level
import io.skoop.testsupport.Diagnoses
import spock.lang.Specification

/** {@link DotRenderer}: the request and reply graphs as Graphviz DOT. */
class DotRendererSpec extends Specification {

    def "two clusters, request and reply; a node per hop labelled with the hop and its worst level, filled by that level"() {
        when:
        String dot = new DotRenderer().render(Diagnoses.refused())

        then:
        dot.startsWith('digraph "skoop" {\n')
        dot.contains('"label"="default/client -> default/sleeper:80/tcp: UNREACHABLE"')
        dot.contains('subgraph "cluster_request" {\ngraph ["label"="request"]\n')
        dot.contains('subgraph "cluster_reply" {\ngraph ["label"="reply"]\n')
        dot.contains('"request/pod:default/client" ["label"="pod:default/client","fillcolor"="palegreen"]')
        dot.contains('"request/pod:default/sleeper" ["label"="pod:default/sleeper\\nFATAL\\n","fillcolor"="red"]')
        dot.contains('"reply/none" ["label"="no reply was sent"')
    }

    def "an edge per link, labelled with its type, the devices on both ends and the packet, the inner packet on its own line"() {
        when:
        String dot = new DotRenderer().render(Diagnoses.refused())

        then:
        dot.contains('"request/pod:default/client" -> "request/node:node-1" ["label"="veth eth0 -> vethec56b3b9\\ntcp 10.244.0.2:40000 > 10.244.2.4:80\\n"]')
        dot =~ /"request\/node:node-1" -> "request\/node:node-3" \["label"="vxlan eth0 -> eth0\\nudp 192\.168\.56\.2:\d+ > 192\.168\.56\.4:8472\\nencap tcp 10\.244\.0\.2:40000 > 10\.244\.2\.4:80\\n"\]/
    }

    def "node names are unique across the clusters: a hop of both paths is two nodes"() {
        when:
        String dot = new DotRenderer().render(Diagnoses.service())

        then:
        dot.contains('"request/pod:default/client" [')
        dot.contains('"reply/pod:default/client" [')
        dot.count(' -> "reply/pod:default/client"') == 1
        dot.count('"fillcolor"="palegreen"') == 14
        new DotRenderer().render(Diagnoses.service()) == dot
    }

    def "fill by worst level: #level"() {
        expect:
        DotRenderer.color(level).value == colour

        where:
        level          || colour
        Level.FATAL    || 'red'
        Level.CRITICAL || 'orange'
        Level.WARNING  || 'yellow'
        Level.INFO     || 'palegreen'
        null           || 'palegreen'
    }
}
