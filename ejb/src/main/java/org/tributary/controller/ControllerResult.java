package org.tributary.controller;

import java.util.List;
import org.tributary.metadata.MetadataRecord;

/**
 * What a controller operation decided: the records to append to the metadata log as one entry
 * (empty when nothing changes; applied atomically) and the response for the caller. Send the
 * response once the entry has committed (a response about an uncommitted change may be undone by
 * a controller failover); a response without records may be sent at once. Immutable.
 */
public record ControllerResult<T>(List<MetadataRecord> records, T response) {
    public ControllerResult {
        records = List.copyOf(records);
    }
}
