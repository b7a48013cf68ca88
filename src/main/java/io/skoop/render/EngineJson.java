package io.skoop.render;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.skoop.model.Ip;
import io.skoop.model.Packet;
import io.skoop.model.Prefix;

/**
 * The JSON form of the engine's results (netfilter traces, route lookups) for {@code skoop netstack trace --json} and
 * notebooks' {@code application/json} outputs: records as objects, addresses, prefixes and packets as their text,
 * nulls left out.
 */
public final class EngineJson {
    private EngineJson() {
    }

    /** A new mapper configured as above. */
    public static ObjectMapper mapper() {
        SimpleModule m = new SimpleModule();
        m.addSerializer(Ip.class, ToStringSerializer.instance);
        m.addSerializer(Packet.class, ToStringSerializer.instance);
        m.addSerializer(Prefix.class, ToStringSerializer.instance);
        return new ObjectMapper().registerModule(m).setSerializationInclusion(JsonInclude.Include.NON_NULL)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    }
}
