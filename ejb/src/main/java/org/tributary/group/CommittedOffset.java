package org.tributary.group;

/**
 * One committed offset: the offset, the leader epoch the consumer saw (-1 if unknown), its
 * metadata string, when it was committed and, for old clients that asked for it, when it expires
 * (-1: by the broker's retention).
 */
public record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestamp, long expireTimestamp) {
    public CommittedOffset {
        metadata = metadata == null ? "" : metadata;
    }
}
