//! A zlib-format compressor whose output is byte-for-byte what zlib 1.2.13's
//! `compress2` produces (window 32K, memLevel 8, default strategy), which is what the
//! reference uses for `term_to_binary(T, [compressed])`. General-purpose deflaters
//! (miniz, zlib-ng) choose matches and blocks differently, so this reimplements zlib's
//! choices: the same hash chains and lazy matching, the same block boundaries (every
//! 16383 symbols), the same Huffman tree construction and the same
//! stored/static/dynamic block decision.

const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
const MIN_LOOKAHEAD: usize = MAX_MATCH + MIN_MATCH + 1;
const TOO_FAR: usize = 4096;

const W_BITS: u32 = 15;
const W_SIZE: usize = 1 << W_BITS;
const W_MASK: usize = W_SIZE - 1;
const WINDOW_SIZE: usize = 2 * W_SIZE;
const MAX_DIST: usize = W_SIZE - MIN_LOOKAHEAD;
const HASH_BITS: u32 = 8 + 7; // memLevel 8
const HASH_SIZE: usize = 1 << HASH_BITS;
const HASH_MASK: u32 = (HASH_SIZE - 1) as u32;
const HASH_SHIFT: u32 = HASH_BITS.div_ceil(MIN_MATCH as u32);
const LIT_BUFSIZE: usize = 1 << (8 + 6);
/// A block is emitted when this many symbols have been collected.
const SYM_LIMIT: usize = LIT_BUFSIZE - 1;

const LENGTH_CODES: usize = 29;
const LITERALS: usize = 256;
const L_CODES: usize = LITERALS + 1 + LENGTH_CODES;
const D_CODES: usize = 30;
const BL_CODES: usize = 19;
const HEAP_SIZE: usize = 2 * L_CODES + 1;
const MAX_BITS: usize = 15;
const MAX_BL_BITS: usize = 7;
const END_BLOCK: usize = 256;
const REP_3_6: usize = 16;
const REPZ_3_10: usize = 17;
const REPZ_11_138: usize = 18;

const EXTRA_LBITS: [u8; LENGTH_CODES] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const EXTRA_DBITS: [u8; D_CODES] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
const EXTRA_BLBITS: [u8; BL_CODES] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7];
const BL_ORDER: [usize; BL_CODES] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// (good_length, max_lazy, nice_length, max_chain, lazy?) per level.
const CONFIG: [(usize, usize, usize, usize, bool); 10] = [
    (0, 0, 0, 0, false),
    (4, 4, 8, 4, false),
    (4, 5, 16, 8, false),
    (4, 6, 32, 32, false),
    (4, 4, 16, 16, true),
    (8, 16, 32, 32, true),
    (8, 16, 128, 128, true),
    (8, 32, 128, 256, true),
    (32, 128, 258, 1024, true),
    (32, 258, 258, 4096, true),
];

/// Code tables shared by all compressions.
struct Tables {
    length_code: [u8; 256],
    base_length: [u16; LENGTH_CODES],
    dist_code: [u8; 512],
    base_dist: [u16; D_CODES],
    static_ltree_len: [u16; L_CODES + 2],
    static_ltree_code: [u16; L_CODES + 2],
    static_dtree_code: [u16; D_CODES],
}

fn bi_reverse(mut code: u32, len: usize) -> u32 {
    let mut res = 0;
    for _ in 0..len {
        res = (res << 1) | (code & 1);
        code >>= 1;
    }
    res
}

/// Canonical Huffman codes (bit-reversed for LSB-first output) from code lengths.
fn gen_codes(lens: &[u16], codes: &mut [u16], max_code: usize, bl_count: &[u16; MAX_BITS + 1]) {
    let mut next_code = [0u16; MAX_BITS + 1];
    let mut code: u32 = 0;
    for bits in 1..=MAX_BITS {
        code = (code + bl_count[bits - 1] as u32) << 1;
        next_code[bits] = code as u16;
    }
    for n in 0..=max_code {
        let len = lens[n] as usize;
        if len == 0 {
            continue;
        }
        codes[n] = bi_reverse(next_code[len] as u32, len) as u16;
        next_code[len] = next_code[len].wrapping_add(1);
    }
}

fn tables() -> &'static Tables {
    static T: std::sync::OnceLock<Tables> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let mut t = Tables {
            length_code: [0; 256],
            base_length: [0; LENGTH_CODES],
            dist_code: [0; 512],
            base_dist: [0; D_CODES],
            static_ltree_len: [0; L_CODES + 2],
            static_ltree_code: [0; L_CODES + 2],
            static_dtree_code: [0; D_CODES],
        };
        let mut length = 0usize;
        for (code, &extra) in EXTRA_LBITS.iter().enumerate().take(LENGTH_CODES - 1) {
            t.base_length[code] = length as u16;
            for _ in 0..(1 << extra) {
                t.length_code[length] = code as u8;
                length += 1;
            }
        }
        // Length 258 has two encodings; the shorter one (code 285) is used.
        t.length_code[length - 1] = (LENGTH_CODES - 1) as u8;
        let mut dist = 0usize;
        for (code, &extra) in EXTRA_DBITS.iter().enumerate().take(16) {
            t.base_dist[code] = dist as u16;
            for _ in 0..(1 << extra) {
                t.dist_code[dist] = code as u8;
                dist += 1;
            }
        }
        // From here on distances are counted in units of 128.
        dist >>= 7;
        for (code, &extra) in EXTRA_DBITS.iter().enumerate().skip(16) {
            t.base_dist[code] = (dist << 7) as u16;
            for _ in 0..(1 << (extra - 7)) {
                t.dist_code[256 + dist] = code as u8;
                dist += 1;
            }
        }
        let mut bl_count = [0u16; MAX_BITS + 1];
        for n in 0..L_CODES + 2 {
            let len = match n {
                0..=143 => 8,
                144..=255 => 9,
                256..=279 => 7,
                _ => 8,
            };
            t.static_ltree_len[n] = len;
            bl_count[len as usize] += 1;
        }
        let lens = t.static_ltree_len;
        gen_codes(&lens, &mut t.static_ltree_code, L_CODES + 1, &bl_count);
        for n in 0..D_CODES {
            t.static_dtree_code[n] = bi_reverse(n as u32, 5) as u16;
        }
        t
    })
}

fn d_code(t: &Tables, dist: usize) -> usize {
    if dist < 256 {
        t.dist_code[dist] as usize
    } else {
        t.dist_code[256 + (dist >> 7)] as usize
    }
}

/// LSB-first bit output.
struct BitWriter {
    out: Vec<u8>,
    buf: u64,
    bits: u32,
}

impl BitWriter {
    fn send(&mut self, value: u32, len: u32) {
        self.buf |= (value as u64) << self.bits;
        self.bits += len;
        while self.bits >= 8 {
            self.out.push(self.buf as u8);
            self.buf >>= 8;
            self.bits -= 8;
        }
    }
    /// Pads to a byte boundary.
    fn windup(&mut self) {
        if self.bits > 0 {
            self.out.push(self.buf as u8);
        }
        self.buf = 0;
        self.bits = 0;
    }
}

/// A dynamic Huffman tree: frequencies, parents and lengths, codes.
struct Tree {
    freq: Vec<u16>,
    dad: Vec<u16>,
    len: Vec<u16>,
    code: Vec<u16>,
    max_code: usize,
}

impl Tree {
    fn new(n: usize) -> Tree {
        Tree {
            freq: vec![0; n],
            dad: vec![0; n],
            len: vec![0; n],
            code: vec![0; n],
            max_code: 0,
        }
    }
}

/// What a tree is built for.
struct TreeDesc {
    static_len: Option<&'static [u16]>,
    extra: &'static [u8],
    extra_base: usize,
    elems: usize,
    max_length: usize,
}

struct Deflater<'a> {
    input: &'a [u8],
    next_in: usize,
    window: Vec<u8>,
    prev: Vec<u16>,
    head: Vec<u16>,
    ins_h: u32,
    strstart: usize,
    block_start: isize,
    lookahead: usize,
    insert: usize,
    match_start: usize,
    match_length: usize,
    prev_match: usize,
    prev_length: usize,
    match_available: bool,
    good_match: usize,
    max_lazy: usize,
    nice_match: usize,
    max_chain: usize,
    // Symbols of the current block: (distance, length - 3 or literal).
    syms: Vec<(u16, u8)>,
    ltree: Tree,
    dtree: Tree,
    bltree: Tree,
    heap: Vec<usize>,
    heap_len: usize,
    heap_max: usize,
    depth: [u8; HEAP_SIZE],
    bl_count: [u16; MAX_BITS + 1],
    opt_len: u64,
    static_len: u64,
    w: BitWriter,
}

const NIL: u16 = 0;

impl<'a> Deflater<'a> {
    fn new(input: &'a [u8], level: usize) -> Deflater<'a> {
        let (good, lazy, nice, chain, _) = CONFIG[level];
        let mut d = Deflater {
            input,
            next_in: 0,
            window: vec![0; WINDOW_SIZE],
            prev: vec![0; W_SIZE],
            head: vec![0; HASH_SIZE],
            ins_h: 0,
            strstart: 0,
            block_start: 0,
            lookahead: 0,
            insert: 0,
            match_start: 0,
            match_length: MIN_MATCH - 1,
            prev_match: 0,
            prev_length: MIN_MATCH - 1,
            match_available: false,
            good_match: good,
            max_lazy: lazy,
            nice_match: nice,
            max_chain: chain,
            syms: Vec::with_capacity(SYM_LIMIT),
            ltree: Tree::new(HEAP_SIZE),
            dtree: Tree::new(2 * D_CODES + 1),
            bltree: Tree::new(2 * BL_CODES + 1),
            heap: vec![0; HEAP_SIZE],
            heap_len: 0,
            heap_max: 0,
            depth: [0; HEAP_SIZE],
            bl_count: [0; MAX_BITS + 1],
            opt_len: 0,
            static_len: 0,
            w: BitWriter {
                out: Vec::with_capacity(input.len() / 2 + 64),
                buf: 0,
                bits: 0,
            },
        };
        d.init_block();
        d
    }

    #[inline]
    fn update_hash(&mut self, c: u8) {
        self.ins_h = ((self.ins_h << HASH_SHIFT) ^ c as u32) & HASH_MASK;
    }

    /// Inserts the string at `s` into the hash table; returns the previous head.
    #[inline]
    fn insert_string(&mut self, s: usize) -> usize {
        self.update_hash(self.window[s + MIN_MATCH - 1]);
        let h = self.head[self.ins_h as usize];
        self.prev[s & W_MASK] = h;
        self.head[self.ins_h as usize] = s as u16;
        h as usize
    }

    fn slide_hash(&mut self) {
        for m in self.head.iter_mut().chain(self.prev.iter_mut()) {
            *m = if *m as usize >= W_SIZE {
                *m - W_SIZE as u16
            } else {
                NIL
            };
        }
    }

    fn fill_window(&mut self) {
        loop {
            let mut more = WINDOW_SIZE - self.lookahead - self.strstart;
            if self.strstart >= W_SIZE + MAX_DIST {
                let keep = W_SIZE - more;
                self.window.copy_within(W_SIZE..W_SIZE + keep, 0);
                self.match_start = self.match_start.wrapping_sub(W_SIZE);
                self.strstart -= W_SIZE;
                self.block_start -= W_SIZE as isize;
                if self.insert > self.strstart {
                    self.insert = self.strstart;
                }
                self.slide_hash();
                more += W_SIZE;
            }
            let avail = self.input.len() - self.next_in;
            if avail == 0 {
                break;
            }
            let n = avail.min(more);
            let at = self.strstart + self.lookahead;
            self.window[at..at + n].copy_from_slice(&self.input[self.next_in..self.next_in + n]);
            self.next_in += n;
            self.lookahead += n;
            if self.lookahead + self.insert >= MIN_MATCH {
                let mut s = self.strstart - self.insert;
                self.ins_h = self.window[s] as u32;
                self.update_hash(self.window[s + 1]);
                while self.insert > 0 {
                    self.update_hash(self.window[s + MIN_MATCH - 1]);
                    self.prev[s & W_MASK] = self.head[self.ins_h as usize];
                    self.head[self.ins_h as usize] = s as u16;
                    s += 1;
                    self.insert -= 1;
                    if self.lookahead + self.insert < MIN_MATCH {
                        break;
                    }
                }
            }
            if self.lookahead >= MIN_LOOKAHEAD || self.next_in == self.input.len() {
                break;
            }
        }
    }

    fn longest_match(&mut self, mut cur_match: usize) -> usize {
        let mut chain = self.max_chain;
        let scan = self.strstart;
        let mut best_len = self.prev_length;
        let mut nice = self.nice_match;
        let limit = if self.strstart > MAX_DIST {
            self.strstart - MAX_DIST
        } else {
            NIL as usize
        };
        let win = &self.window;
        let mut scan_end1 = win[scan + best_len - 1];
        let mut scan_end = win[scan + best_len];
        if self.prev_length >= self.good_match {
            chain >>= 2;
        }
        if nice > self.lookahead {
            nice = self.lookahead;
        }
        loop {
            let m = cur_match;
            // The third byte is not compared: equal hashes imply it is equal.
            if win[m + best_len] == scan_end
                && win[m + best_len - 1] == scan_end1
                && win[m] == win[scan]
                && win[m + 1] == win[scan + 1]
            {
                let mut len = 3;
                while len < MAX_MATCH && win[scan + len] == win[m + len] {
                    len += 1;
                }
                if len > best_len {
                    self.match_start = cur_match;
                    best_len = len;
                    if len >= nice {
                        break;
                    }
                    scan_end1 = win[scan + best_len - 1];
                    scan_end = win[scan + best_len];
                }
            }
            cur_match = self.prev[cur_match & W_MASK] as usize;
            if cur_match <= limit {
                break;
            }
            chain -= 1;
            if chain == 0 {
                break;
            }
        }
        best_len.min(self.lookahead)
    }

    fn tally_lit(&mut self, c: u8) -> bool {
        self.syms.push((0, c));
        self.ltree.freq[c as usize] += 1;
        self.syms.len() == SYM_LIMIT
    }

    fn tally_dist(&mut self, dist: usize, len: usize) -> bool {
        let t = tables();
        self.syms.push((dist as u16, len as u8));
        self.ltree.freq[t.length_code[len] as usize + LITERALS + 1] += 1;
        self.dtree.freq[d_code(t, dist - 1)] += 1;
        self.syms.len() == SYM_LIMIT
    }

    fn flush_block(&mut self, last: bool) {
        let stored = if self.block_start >= 0 {
            Some(self.block_start as usize)
        } else {
            None
        };
        let stored_len = (self.strstart as isize - self.block_start) as usize;
        self.tr_flush_block(stored, stored_len, last);
        self.block_start = self.strstart as isize;
    }

    fn deflate_fast(&mut self) {
        loop {
            if self.lookahead < MIN_LOOKAHEAD {
                self.fill_window();
                if self.lookahead == 0 {
                    break;
                }
            }
            let mut hash_head = NIL as usize;
            if self.lookahead >= MIN_MATCH {
                hash_head = self.insert_string(self.strstart);
            }
            if hash_head != NIL as usize && self.strstart - hash_head <= MAX_DIST {
                self.match_length = self.longest_match(hash_head);
            }
            let bflush;
            if self.match_length >= MIN_MATCH {
                bflush = self.tally_dist(
                    self.strstart.wrapping_sub(self.match_start),
                    self.match_length - MIN_MATCH,
                );
                self.lookahead -= self.match_length;
                if self.match_length <= self.max_lazy && self.lookahead >= MIN_MATCH {
                    self.match_length -= 1;
                    loop {
                        self.strstart += 1;
                        self.insert_string(self.strstart);
                        self.match_length -= 1;
                        if self.match_length == 0 {
                            break;
                        }
                    }
                    self.strstart += 1;
                } else {
                    self.strstart += self.match_length;
                    self.match_length = 0;
                    self.ins_h = self.window[self.strstart] as u32;
                    self.update_hash(self.window[self.strstart + 1]);
                }
            } else {
                bflush = self.tally_lit(self.window[self.strstart]);
                self.lookahead -= 1;
                self.strstart += 1;
            }
            if bflush {
                self.flush_block(false);
            }
        }
        self.flush_block(true);
    }

    fn deflate_slow(&mut self) {
        loop {
            if self.lookahead < MIN_LOOKAHEAD {
                self.fill_window();
                if self.lookahead == 0 {
                    break;
                }
            }
            let mut hash_head = NIL as usize;
            if self.lookahead >= MIN_MATCH {
                hash_head = self.insert_string(self.strstart);
            }
            self.prev_length = self.match_length;
            self.prev_match = self.match_start;
            self.match_length = MIN_MATCH - 1;
            if hash_head != NIL as usize
                && self.prev_length < self.max_lazy
                && self.strstart - hash_head <= MAX_DIST
            {
                self.match_length = self.longest_match(hash_head);
                if self.match_length <= 5
                    && self.match_length == MIN_MATCH
                    && self.strstart.wrapping_sub(self.match_start) > TOO_FAR
                {
                    self.match_length = MIN_MATCH - 1;
                }
            }
            if self.prev_length >= MIN_MATCH && self.match_length <= self.prev_length {
                let max_insert = self.strstart + self.lookahead - MIN_MATCH;
                let bflush = self.tally_dist(
                    self.strstart - 1 - self.prev_match,
                    self.prev_length - MIN_MATCH,
                );
                self.lookahead -= self.prev_length - 1;
                self.prev_length -= 2;
                loop {
                    self.strstart += 1;
                    if self.strstart <= max_insert {
                        self.insert_string(self.strstart);
                    }
                    self.prev_length -= 1;
                    if self.prev_length == 0 {
                        break;
                    }
                }
                self.match_available = false;
                self.match_length = MIN_MATCH - 1;
                self.strstart += 1;
                if bflush {
                    self.flush_block(false);
                }
            } else if self.match_available {
                let bflush = self.tally_lit(self.window[self.strstart - 1]);
                if bflush {
                    self.flush_block(false);
                }
                self.strstart += 1;
                self.lookahead -= 1;
            } else {
                self.match_available = true;
                self.strstart += 1;
                self.lookahead -= 1;
            }
        }
        if self.match_available {
            self.tally_lit(self.window[self.strstart - 1]);
            self.match_available = false;
        }
        self.flush_block(true);
    }

    // ------------------------------------------------------------ trees

    fn init_block(&mut self) {
        self.ltree.freq[..L_CODES].fill(0);
        self.dtree.freq[..D_CODES].fill(0);
        self.bltree.freq[..BL_CODES].fill(0);
        self.ltree.freq[END_BLOCK] = 1;
        self.opt_len = 0;
        self.static_len = 0;
        self.syms.clear();
    }

    fn smaller(tree: &Tree, depth: &[u8], n: usize, m: usize) -> bool {
        tree.freq[n] < tree.freq[m] || (tree.freq[n] == tree.freq[m] && depth[n] <= depth[m])
    }

    fn pqdownheap(&mut self, which: u8, mut k: usize) {
        let mut heap = std::mem::take(&mut self.heap);
        let tree = self.tree(which);
        let v = heap[k];
        let mut j = k << 1;
        while j <= self.heap_len {
            if j < self.heap_len && Self::smaller(tree, &self.depth, heap[j + 1], heap[j]) {
                j += 1;
            }
            if Self::smaller(tree, &self.depth, v, heap[j]) {
                break;
            }
            heap[k] = heap[j];
            k = j;
            j <<= 1;
        }
        heap[k] = v;
        self.heap = heap;
    }

    fn tree(&self, which: u8) -> &Tree {
        match which {
            0 => &self.ltree,
            1 => &self.dtree,
            _ => &self.bltree,
        }
    }

    fn tree_mut(&mut self, which: u8) -> &mut Tree {
        match which {
            0 => &mut self.ltree,
            1 => &mut self.dtree,
            _ => &mut self.bltree,
        }
    }

    fn desc(which: u8) -> TreeDesc {
        let t = tables();
        match which {
            0 => TreeDesc {
                static_len: Some(&t.static_ltree_len[..]),
                extra: &EXTRA_LBITS,
                extra_base: LITERALS + 1,
                elems: L_CODES,
                max_length: MAX_BITS,
            },
            1 => TreeDesc {
                static_len: Some(&STATIC_DTREE_LEN),
                extra: &EXTRA_DBITS,
                extra_base: 0,
                elems: D_CODES,
                max_length: MAX_BITS,
            },
            _ => TreeDesc {
                static_len: None,
                extra: &EXTRA_BLBITS,
                extra_base: 0,
                elems: BL_CODES,
                max_length: MAX_BL_BITS,
            },
        }
    }

    fn build_tree(&mut self, which: u8) {
        let desc = Self::desc(which);
        let elems = desc.elems;
        let mut max_code: isize = -1;
        self.heap_len = 0;
        self.heap_max = HEAP_SIZE;
        for n in 0..elems {
            if self.tree(which).freq[n] != 0 {
                self.heap_len += 1;
                self.heap[self.heap_len] = n;
                max_code = n as isize;
                self.depth[n] = 0;
            } else {
                self.tree_mut(which).len[n] = 0;
            }
        }
        // At least two codes of non-zero frequency, as the format needs.
        while self.heap_len < 2 {
            let node = if max_code < 2 {
                max_code += 1;
                max_code as usize
            } else {
                0
            };
            self.heap_len += 1;
            self.heap[self.heap_len] = node;
            self.tree_mut(which).freq[node] = 1;
            self.depth[node] = 0;
            self.opt_len = self.opt_len.wrapping_sub(1);
            if let Some(sl) = desc.static_len {
                self.static_len = self.static_len.wrapping_sub(sl[node] as u64);
            }
        }
        self.tree_mut(which).max_code = max_code as usize;
        for n in (1..=self.heap_len / 2).rev() {
            self.pqdownheap(which, n);
        }
        let mut node = elems;
        loop {
            let n = self.heap[1];
            self.heap[1] = self.heap[self.heap_len];
            self.heap_len -= 1;
            self.pqdownheap(which, 1);
            let m = self.heap[1];
            self.heap_max -= 1;
            self.heap[self.heap_max] = n;
            self.heap_max -= 1;
            self.heap[self.heap_max] = m;
            let tree = self.tree_mut(which);
            tree.freq[node] = tree.freq[n].wrapping_add(tree.freq[m]);
            tree.dad[n] = node as u16;
            tree.dad[m] = node as u16;
            self.depth[node] = self.depth[n].max(self.depth[m]) + 1;
            self.heap[1] = node;
            node += 1;
            self.pqdownheap(which, 1);
            if self.heap_len < 2 {
                break;
            }
        }
        self.heap_max -= 1;
        self.heap[self.heap_max] = self.heap[1];
        self.gen_bitlen(which, &desc);
        let bl_count = self.bl_count;
        let tree = self.tree_mut(which);
        gen_codes(&tree.len, &mut tree.code, tree.max_code, &bl_count);
    }

    fn gen_bitlen(&mut self, which: u8, desc: &TreeDesc) {
        let max_code = self.tree(which).max_code;
        let max_length = desc.max_length;
        self.bl_count = [0; MAX_BITS + 1];
        let mut overflow = 0i32;
        let root = self.heap[self.heap_max];
        self.tree_mut(which).len[root] = 0;
        for h in self.heap_max + 1..HEAP_SIZE {
            let n = self.heap[h];
            let tree = self.tree_mut(which);
            let mut bits = tree.len[tree.dad[n] as usize] as usize + 1;
            if bits > max_length {
                bits = max_length;
                overflow += 1;
            }
            tree.len[n] = bits as u16;
            if n > max_code {
                continue;
            }
            self.bl_count[bits] += 1;
            let xbits = if n >= desc.extra_base {
                desc.extra[n - desc.extra_base] as u64
            } else {
                0
            };
            let f = self.tree(which).freq[n] as u64;
            self.opt_len = self.opt_len.wrapping_add(f * (bits as u64 + xbits));
            if let Some(sl) = desc.static_len {
                self.static_len = self.static_len.wrapping_add(f * (sl[n] as u64 + xbits));
            }
        }
        if overflow == 0 {
            return;
        }
        loop {
            let mut bits = max_length - 1;
            while self.bl_count[bits] == 0 {
                bits -= 1;
            }
            self.bl_count[bits] -= 1;
            self.bl_count[bits + 1] += 2;
            self.bl_count[max_length] -= 1;
            overflow -= 2;
            if overflow <= 0 {
                break;
            }
        }
        let mut h = HEAP_SIZE;
        for bits in (1..=max_length).rev() {
            let mut n = self.bl_count[bits];
            while n != 0 {
                h -= 1;
                let m = self.heap[h];
                if m > max_code {
                    continue;
                }
                let tree = self.tree_mut(which);
                if tree.len[m] as usize != bits {
                    let delta = (bits as i64 - tree.len[m] as i64) * tree.freq[m] as i64;
                    tree.len[m] = bits as u16;
                    self.opt_len = self.opt_len.wrapping_add(delta as u64);
                }
                n -= 1;
            }
        }
    }

    /// Counts the bit-length codes needed to send `which`'s code lengths.
    fn scan_tree(&mut self, which: u8) {
        let max_code = self.tree(which).max_code;
        let mut prevlen: i32 = -1;
        let mut nextlen = self.tree(which).len[0] as i32;
        let mut count = 0;
        let (mut max_count, mut min_count) = if nextlen == 0 { (138, 3) } else { (7, 4) };
        self.tree_mut(which).len[max_code + 1] = 0xffff; // guard
        for n in 0..=max_code {
            let curlen = nextlen;
            nextlen = self.tree(which).len[n + 1] as i32;
            count += 1;
            if count < max_count && curlen == nextlen {
                continue;
            } else if count < min_count {
                self.bltree.freq[curlen as usize] += count as u16;
            } else if curlen != 0 {
                if curlen != prevlen {
                    self.bltree.freq[curlen as usize] += 1;
                }
                self.bltree.freq[REP_3_6] += 1;
            } else if count <= 10 {
                self.bltree.freq[REPZ_3_10] += 1;
            } else {
                self.bltree.freq[REPZ_11_138] += 1;
            }
            count = 0;
            prevlen = curlen;
            (max_count, min_count) = if nextlen == 0 {
                (138, 3)
            } else if curlen == nextlen {
                (6, 3)
            } else {
                (7, 4)
            };
        }
    }

    fn send_code(&mut self, c: usize, which: u8) {
        let (code, len) = {
            let t = self.tree(which);
            (t.code[c] as u32, t.len[c] as u32)
        };
        self.w.send(code, len);
    }

    fn send_tree(&mut self, which: u8, max_code: usize) {
        let mut prevlen: i32 = -1;
        let mut nextlen = self.tree(which).len[0] as i32;
        let mut count = 0;
        let (mut max_count, mut min_count) = if nextlen == 0 { (138, 3) } else { (7, 4) };
        for n in 0..=max_code {
            let curlen = nextlen;
            nextlen = self.tree(which).len[n + 1] as i32;
            count += 1;
            if count < max_count && curlen == nextlen {
                continue;
            } else if count < min_count {
                while count > 0 {
                    self.send_code(curlen as usize, 2);
                    count -= 1;
                }
            } else if curlen != 0 {
                if curlen != prevlen {
                    self.send_code(curlen as usize, 2);
                    count -= 1;
                }
                self.send_code(REP_3_6, 2);
                self.w.send(count as u32 - 3, 2);
            } else if count <= 10 {
                self.send_code(REPZ_3_10, 2);
                self.w.send(count as u32 - 3, 3);
            } else {
                self.send_code(REPZ_11_138, 2);
                self.w.send(count as u32 - 11, 7);
            }
            count = 0;
            prevlen = curlen;
            (max_count, min_count) = if nextlen == 0 {
                (138, 3)
            } else if curlen == nextlen {
                (6, 3)
            } else {
                (7, 4)
            };
        }
    }

    fn build_bl_tree(&mut self) -> usize {
        self.scan_tree(0);
        self.scan_tree(1);
        self.build_tree(2);
        let mut max_blindex = BL_CODES - 1;
        while max_blindex >= 3 {
            if self.bltree.len[BL_ORDER[max_blindex]] != 0 {
                break;
            }
            max_blindex -= 1;
        }
        self.opt_len = self
            .opt_len
            .wrapping_add(3 * (max_blindex as u64 + 1) + 5 + 5 + 4);
        max_blindex
    }

    fn send_all_trees(&mut self, lcodes: usize, dcodes: usize, blcodes: usize) {
        self.w.send(lcodes as u32 - 257, 5);
        self.w.send(dcodes as u32 - 1, 5);
        self.w.send(blcodes as u32 - 4, 4);
        for &o in BL_ORDER.iter().take(blcodes) {
            let l = self.bltree.len[o] as u32;
            self.w.send(l, 3);
        }
        self.send_tree(0, lcodes - 1);
        self.send_tree(1, dcodes - 1);
    }

    fn compress_block(&mut self, dynamic: bool) {
        let t = tables();
        let syms = std::mem::take(&mut self.syms);
        let lit = |d: &mut Deflater, c: usize| {
            if dynamic {
                d.send_code(c, 0);
            } else {
                d.w.send(t.static_ltree_code[c] as u32, t.static_ltree_len[c] as u32);
            }
        };
        let dst = |d: &mut Deflater, c: usize| {
            if dynamic {
                d.send_code(c, 1);
            } else {
                d.w.send(t.static_dtree_code[c] as u32, 5);
            }
        };
        for &(dist, lc) in &syms {
            if dist == 0 {
                lit(self, lc as usize);
            } else {
                let lc = lc as usize;
                let code = t.length_code[lc] as usize;
                lit(self, code + LITERALS + 1);
                let extra = EXTRA_LBITS[code] as u32;
                if extra != 0 {
                    self.w
                        .send((lc - t.base_length[code] as usize) as u32, extra);
                }
                let dist = dist as usize - 1;
                let code = d_code(t, dist);
                dst(self, code);
                let extra = EXTRA_DBITS[code] as u32;
                if extra != 0 {
                    self.w
                        .send((dist - t.base_dist[code] as usize) as u32, extra);
                }
            }
        }
        lit(self, END_BLOCK);
        self.syms = syms;
    }

    fn tr_flush_block(&mut self, stored_at: Option<usize>, stored_len: usize, last: bool) {
        self.build_tree(0);
        self.build_tree(1);
        let max_blindex = self.build_bl_tree();
        let mut opt_lenb = (self.opt_len.wrapping_add(3 + 7)) >> 3;
        let static_lenb = (self.static_len.wrapping_add(3 + 7)) >> 3;
        if static_lenb <= opt_lenb {
            opt_lenb = static_lenb;
        }
        if let (true, Some(at)) = ((stored_len as u64) + 4 <= opt_lenb, stored_at) {
            // A stored block.
            self.w.send(last as u32, 3);
            self.w.windup();
            let len = stored_len as u16;
            self.w.out.extend_from_slice(&len.to_le_bytes());
            self.w.out.extend_from_slice(&(!len).to_le_bytes());
            let bytes = self.window[at..at + stored_len].to_vec();
            self.w.out.extend_from_slice(&bytes);
        } else if static_lenb == opt_lenb {
            self.w.send((1 << 1) + last as u32, 3);
            self.compress_block(false);
        } else {
            self.w.send((2 << 1) + last as u32, 3);
            let (l, d) = (self.ltree.max_code + 1, self.dtree.max_code + 1);
            self.send_all_trees(l, d, max_blindex + 1);
            self.compress_block(true);
        }
        self.init_block();
        if last {
            self.w.windup();
        }
    }
}

const STATIC_DTREE_LEN: [u16; D_CODES] = [5; D_CODES];

fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += x as u32;
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// `compress2(data, level)` for levels 1..=9: the complete zlib stream.
pub fn zlib_compress(data: &[u8], level: u32) -> Vec<u8> {
    let level = level.clamp(1, 9) as usize;
    let level_flags: u32 = match level {
        0 | 1 => 0,
        2..=5 => 1,
        6 => 2,
        _ => 3,
    };
    let mut header: u32 = (8 + ((W_BITS - 8) << 4)) << 8 | (level_flags << 6);
    header += 31 - (header % 31);
    let mut d = Deflater::new(data, level);
    d.w.out.extend_from_slice(&(header as u16).to_be_bytes());
    if CONFIG[level].4 {
        d.deflate_slow();
    } else {
        d.deflate_fast();
    }
    let mut out = d.w.out;
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn inflate(z: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(z)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn round_trips_at_every_level() {
        let mut data = Vec::new();
        let mut x: u32 = 12345;
        for i in 0..200_000u32 {
            x = x.wrapping_mul(1103515245).wrapping_add(12345);
            // Compressible but not trivial: a small alphabet with repeats.
            data.push(if i % 7 == 0 {
                (x >> 16) as u8
            } else {
                b"abcabcabd"[(x >> 20) as usize % 9]
            });
        }
        for level in 1..=9 {
            let z = zlib_compress(&data, level);
            assert_eq!(inflate(&z), data, "level {level}");
        }
        for small in [&b"a"[..], b"ab", b"abc", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"] {
            assert_eq!(inflate(&zlib_compress(small, 6)), small);
        }
    }

    /// Text-like data with some random bytes, long enough to slide the window and
    /// span many blocks.
    fn sample_input(n: usize) -> Vec<u8> {
        let words: [&[u8]; 8] = [
            b"erlang",
            b"beam",
            b"term",
            b"binary",
            b"the",
            b"of",
            b"compress",
            b"zlib ",
        ];
        let mut x: u32 = 12345;
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            x = x.wrapping_mul(1103515245).wrapping_add(12345);
            if (x >> 16).is_multiple_of(11) {
                out.push((x >> 8) as u8);
            } else {
                out.extend_from_slice(words[((x >> 20) % 8) as usize]);
            }
        }
        out.truncate(n);
        out
    }

    #[test]
    fn matches_stock_zlib_at_every_level() {
        // (level, length, crc32) of zlib 1.2.13's compress2 output for sample_input(300000).
        let expected = [
            (1, 75204, 2191347671u32),
            (2, 71100, 1124240744),
            (3, 64804, 585184485),
            (4, 62728, 3486560132),
            (5, 59794, 1978417647),
            (6, 55816, 3680819799),
            (7, 54290, 3100196906),
            (8, 52452, 2765917567),
            (9, 52452, 2765917567),
        ];
        let data = sample_input(300_000);
        for (level, len, crc) in expected {
            let z = zlib_compress(&data, level);
            let mut c = flate2::Crc::new();
            c.update(&z);
            assert_eq!((z.len(), c.sum()), (len, crc), "level {level}");
        }
    }

    #[test]
    fn matches_zlib_output() {
        // zlib.compress(b"hello hello hello hello", 6) from a stock zlib.
        let z = zlib_compress(b"hello hello hello hello", 6);
        assert_eq!(
            z,
            [120, 156, 203, 72, 205, 201, 201, 87, 200, 64, 39, 1, 104, 3, 8, 177]
        );
    }
}
