package org.tributary.log;

/**
 * OffsetForLeaderEpoch answer: the largest known epoch not above the requested one and the offset
 * at which it ended (exclusive: the start offset of the next epoch, or the log end offset).
 * Unknown: epoch -1 and offset -1.
 */
public record EpochEndOffset(int leaderEpoch, long endOffset) {
    public static final EpochEndOffset UNDEFINED = new EpochEndOffset(-1, -1L);
}
