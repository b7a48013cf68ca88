package io.skoop.lab.run

import io.skoop.lab.topology.LabExamples
import io.skoop.model.EndpointSpecs
import spock.lang.Shared
import spock.lang.Specification

/**
 * {@code skoop lab probe}'s endpoints are written as {@code skoop diagnose}'s: {@link EndpointSpecs#qualified} over
 * the lab's {@link Lab#catalog()}, then {@link Lab#netns}/{@link Lab#address}. No root: nothing runs.
 */
class LabTargetsSpec extends Specification {
    @Shared Lab lab = new Lab(new LabStore.Entry('vx', 'example flannel-vxlan', 'flannel-vxlan.yaml', '2026-12-06T00:00:00Z', 'up', []),
            LabExamples.load('flannel-vxlan').withName('vx'))

    String dst(String spec, String ns = 'default') {
        lab.address(EndpointSpecs.qualified(spec, ns, false, lab.catalog())).toString()
    }

    String src(String spec, String ns = 'default') {
        lab.netns(EndpointSpecs.qualified(spec, ns, true, lab.catalog()))
    }

    def "every kubectl form of one endpoint reaches the same address: #forms"() {
        expect:
        forms.collect { dst(it) }.unique().size() == 1
        dst(forms[0]) == lab.address(forms[0]).toString()

        where:
        forms << [['default/web-1', 'pod/default/web-1', 'po/default/web-1', 'web-1', 'pod/web-1'],
                  ['node-1', 'node/node-1', 'no/node-1'],
                  ['svc/default/web', 'service/default/web', 'svc/web', 'web', 'default/web'],
                  ['internet', 'node/internet']]
    }

    def "sources take the same forms and a bare name is the pod of -n"() {
        expect:
        src('client') == src('default/client')
        src('pod/default/client') == src('default/client')
        src('node/node-2') == src('node-2')
        src('web-canary', 'staging') == src('staging/web-canary')
    }

    def "a bare name that is nothing fails with the close matches; a Service is no source"() {
        when:
        dst('web-l')

        then:
        IllegalArgumentException e = thrown()
        e.message.startsWith("destination 'web-l' is no pod of namespace default, no node and no Service of namespace default")
        e.message.contains('web-1')

        when:
        src('svc/default/web')

        then:
        e = thrown(IllegalArgumentException)
        e.message.contains('is a destination, not a place to run in')
    }
}
