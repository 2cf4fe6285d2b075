package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.tributary.server.TwoPhaseRequests.init;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With the ACL authorizer on, as Kafka 4.3.1's KafkaApis: InitProducerId with enable_2pc needs
 * TWO_PHASE_COMMIT on the transactional id in addition to WRITE; either one missing is
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED, while a plain InitProducerId needs WRITE only.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TwoPhaseCommitAclTest {

    @Test
    void twoPhaseCommitNeedsItsOwnOperationBesidesWrite() throws Exception {
        Map<String, String> settings = new HashMap<>(AclProtocolTest.AUTHORIZER);
        settings.putAll(TwoPhaseCommitProtocolTest.ENABLED);
        try (TestBroker broker = new TestBroker(settings); RawClient c = new RawClient(broker.port())) {
            AclProtocolTest.grant(broker.broker(),
                    AclProtocolTest.allow(ResourceType.TRANSACTIONAL_ID, "xa-acl", PatternType.LITERAL, AclOperation.WRITE),
                    AclProtocolTest.allow(ResourceType.TRANSACTIONAL_ID, "xa-only-2pc", PatternType.LITERAL, AclOperation.TWO_PHASE_COMMIT));
            InJvmCluster.await("a plain InitProducerId with WRITE succeeds", 30_000, () -> {
                try {
                    return TwoPhaseCommitProtocolTest.awaitInit(c, "xa-acl", 60_000, false).errorCode() == Errors.NONE.code();
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code(), init(c, "xa-acl", 60_000, true, false).errorCode(),
                    "WRITE alone does not allow two-phase commit");
            assertEquals(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code(), init(c, "xa-only-2pc", 60_000, true, false).errorCode(),
                    "TWO_PHASE_COMMIT alone neither");

            AclProtocolTest.grant(broker.broker(),
                    AclProtocolTest.allow(ResourceType.TRANSACTIONAL_ID, "xa-acl", PatternType.LITERAL, AclOperation.TWO_PHASE_COMMIT));
            InJvmCluster.await("with both, enable_2pc succeeds", 30_000, () -> {
                try {
                    return TwoPhaseCommitProtocolTest.awaitInit(c, "xa-acl", 60_000, true).errorCode() == Errors.NONE.code();
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }
}
