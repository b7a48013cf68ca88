package io.skoop
import spock.lang.Specification
class SmokeSpec extends Specification { def "x"() { expect: 1 + 1 == 2 } }
