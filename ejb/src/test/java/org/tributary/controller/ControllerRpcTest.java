package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.junit.jupiter.api.Test;

class ControllerRpcTest {
    @Test
    void requestsAndResponsesRoundTrip() {
        BrokerRegistrationRequestData reg = new BrokerRegistrationRequestData().setBrokerId(3).setClusterId("c1")
                .setIncarnationId(Uuid.randomUuid()).setRack("r1");
        reg.listeners().add(new BrokerRegistrationRequestData.Listener().setName("PLAINTEXT").setHost("127.0.0.1").setPort(9092));
        assertEquals(reg, ControllerRpc.decodeRequest(ControllerRpc.encode(reg)));

        CreateTopicsRequestData create = new CreateTopicsRequestData().setTimeoutMs(1000);
        create.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("orders").setNumPartitions(6).setReplicationFactor((short) 3));
        assertEquals(create, ControllerRpc.decodeRequest(ControllerRpc.encode(create)));

        BrokerHeartbeatResponseData hb = new BrokerHeartbeatResponseData().setIsFenced(false).setIsCaughtUp(true);
        assertEquals(hb, ControllerRpc.decodeResponse(ControllerRpc.encode(hb)));
    }

    @Test
    void damagedInputIsRefusedWithAReason() {
        byte[] ok = ControllerRpc.encode(new BrokerHeartbeatResponseData());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ControllerRpc.decodeResponse(new byte[] {0, 1}))
                .getMessage().contains("too short"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ControllerRpc.decodeResponse(new byte[] {0x7f, 0, 0, 0}))
                .getMessage().contains("unknown API key"));
        byte[] truncated = Arrays.copyOf(ok, ok.length - 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ControllerRpc.decodeResponse(truncated))
                .getMessage().contains("damaged"));
        byte[] longer = Arrays.copyOf(ok, ok.length + 3);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ControllerRpc.decodeResponse(longer))
                .getMessage().contains("trailing"));
    }
}
