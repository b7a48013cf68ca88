package io.skoop.model;

import java.util.List;
import java.util.Objects;

/**
 * One thing a NetNode did: its type, the link the packet came in on (null for SEND), and the
 * links it left on (empty for SERVE or a drop). Seed: Action{Type, Input, Outputs}.
 */
public record Action(ActionType type, Link input, List<Link> outputs) {
    public Action {
        Objects.requireNonNull(type, "type");
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }
}
