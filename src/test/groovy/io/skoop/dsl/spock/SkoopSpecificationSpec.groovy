package io.skoop.dsl.spock

import io.skoop.model.Level

/** The kit's failure messages: a broken expectation shows the whole diagnosis; a missing suspicion lists those there are. */
class SkoopSpecificationSpec extends SkoopSpecification {

    def setupSpec() {
        example('flannel-vxlan')
    }

    def "reachable on an unreachable flow fails with the path, the suspicions and the verdict"() {
        when:
        reachable(pod('default/client'), pod('default/sleeper', 80))

        then:
        AssertionError e = thrown()
        e.message.startsWith('expected default/client -> default/sleeper:80/tcp to be REACHABLE, but it is UNREACHABLE\n\ndiagnosis: ')
        e.message.contains('FATAL    pod:default/sleeper: no socket listens on 10.244.2.4:80/tcp')
        e.message.contains('-> node:node-3 [vxlan eth0 -> eth0]')
    }

    def "unreachable on a reachable flow fails too"() {
        when:
        unreachable(pod('default/client'), service('default/web', 80))

        then:
        AssertionError e = thrown()
        e.message.startsWith('expected default/client -> svc/default/web:80/tcp to be not reachable, but it is REACHABLE')
    }

    def "hasSuspicion matches hop, level and text or pattern; a miss lists every suspicion"() {
        given:
        def d = unreachable(pod('default/client'), pod('default/sleeper', 80))

        expect:
        hasSuspicion(d, on: 'pod:default/sleeper', level: Level.FATAL, message: ~/RST/)
        hasSuspicion(d, message: 'connection refused')

        when:
        hasSuspicion(d, on: 'node:node-1', level: Level.FATAL)

        then:
        AssertionError e = thrown()
        e.message.startsWith('no suspicion on node:node-1 of level FATAL; suspicions:\n  pod:default/sleeper: FATAL: no socket listens')
    }

    def "reachable and unreachable take diagnose's named arguments: family on the embedded dual-stack snapshot"() {
        given:
        example('dual-stack')

        expect:
        reachable(pod('default/client'), service('default/api', 8080), family: 4).toString().contains('-> svc/default/api (10.96.0.3) port 8080/tcp')
        reachable(pod('default/client'), service('default/api', 8080), family: 6).toString().contains('-> svc/default/api (fd00:10:96::3) port 8080/tcp')

        when:
        unreachable(pod('default/client'), service('default/web', 80), family: 6)

        then:
        AssertionError e = thrown()
        e.message.startsWith('expected default/client -> svc/default/web:80/tcp (IPv6) to be not reachable, but it is REACHABLE')

        cleanup:
        example('flannel-vxlan')
    }
}
