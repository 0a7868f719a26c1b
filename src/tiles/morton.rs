//! Morton (Z-order) codes of world pixels: interleaving the bits of x and y makes every tile —
//! at any zoom — one contiguous range of codes, so "the points in this tile" is a binary
//! search in a sorted array.

/// Interleaves the low 32 bits of x and y (x in the even bits).
pub fn encode(x: u32, y: u32) -> u64 {
    spread(x) | (spread(y) << 1)
}

/// The inverse of [`encode`].
pub fn decode(m: u64) -> (u32, u32) {
    (compact(m), compact(m >> 1))
}

fn spread(v: u32) -> u64 {
    let mut x = v as u64;
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    x = (x | (x << 1)) & 0x5555_5555_5555_5555;
    x
}

fn compact(m: u64) -> u32 {
    let mut x = m & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF;
    x as u32
}

/// The codes of all pixels of the block whose top-left pixel is (bx·2^k, by·2^k) and whose
/// side is 2^k pixels: `[start, end)`.
pub fn block_range(bx: u32, by: u32, k: u32) -> (u64, u64) {
    let start = encode(bx, by) << (2 * k);
    (start, start + (1u64 << (2 * k)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn round_trips(x in any::<u32>(), y in any::<u32>()) {
            prop_assert_eq!(decode(encode(x, y)), (x, y));
        }

        #[test]
        fn a_block_is_one_range(bx in 0u32..1000, by in 0u32..1000, k in 0u32..8, dx in 0u32..256, dy in 0u32..256) {
            let side = 1u32 << k;
            let (x, y) = (bx * side + dx % side, by * side + dy % side);
            let (start, end) = block_range(bx, by, k);
            let m = encode(x, y);
            prop_assert!(start <= m && m < end);
        }

        #[test]
        fn shifting_codes_is_zooming_out(x in 0u32..(1 << 24), y in 0u32..(1 << 24), k in 0u32..12) {
            prop_assert_eq!(encode(x, y) >> (2 * k), encode(x >> k, y >> k));
        }
    }
}
