package io.skoop.netstack.link

import spock.lang.Specification

/** Scopes as iproute2 names them (/etc/iproute2/rt_scopes) and their kernel numbers. */
class ScopeSpec extends Specification {

    def "'#text' is scope #value and prints as '#printed'"() {
        expect:
        Scope.parse(text).value() == value
        Scope.parse(text).toString() == printed

        where:
        text       | value | printed
        'global'   | 0     | 'global'
        'universe' | 0     | 'global'
        'site'     | 200   | 'site'
        'link'     | 253   | 'link'
        'host'     | 254   | 'host'
        'nowhere'  | 255   | 'nowhere'
        '17'       | 17    | '17'
    }

    def "narrower scopes compare greater, as inet_select_addr compares them"() {
        expect:
        Scope.HOST > Scope.LINK
        Scope.LINK > Scope.GLOBAL
    }

    def "bad scopes are rejected: #text"() {
        when:
        Scope.parse(text)

        then:
        thrown(IllegalArgumentException)

        where:
        text << ['galactic', '256', '-1']
    }
}
