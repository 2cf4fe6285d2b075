package org.tributary.web.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which REST changes go unaudited: only producing records, never a change to a topic named "records". */
class RestAuditTest {
    private static List<String> seg(String path) {
        return List.of(path.split("/"));
    }

    @Test
    void onlyTheTwoRecordEndpointsAreLeftOut() {
        assertTrue(RestAudit.isRecords(seg("topics/orders/records")));
        assertTrue(RestAudit.isRecords(seg("topics/orders/partitions/0/records")));
        assertTrue(RestAudit.isRecords(seg("topics/records/records")));
    }

    @Test
    void changesToATopicNamedRecordsAreAudited() {
        assertFalse(RestAudit.isRecords(seg("topics/records")));
        assertFalse(RestAudit.isRecords(seg("topics/records/configs")));
        assertFalse(RestAudit.isRecords(seg("topics/records/partitions")));
        assertFalse(RestAudit.isRecords(seg("topics/records/partitions/0/replicas")));
        assertFalse(RestAudit.isRecords(seg("topics/records/partitions/0/reassignment")));
        assertFalse(RestAudit.isRecords(seg("groups/records")));
    }
}
