//! The Rust tokenizer against ids written by the Hugging Face fast tokenizer
//! (scripts/make_tokenizer_fixture.py; fixtures in tests/fixtures).

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use mixout_data::{encode_cached, Encoded, Split, TaskSpec, Tokenizer};
use serde::Deserialize;

const MODEL: &str = "paraphrase-MiniLM-L3-v2";
const MAX_LEN: usize = 128;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Each non-comment line: `<number of segment-0 tokens> <ids...>`.
fn read_id_fixture(name: &str) -> Vec<Encoded> {
    let text = std::fs::read_to_string(fixture(name)).expect("fixture exists");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let nums: Vec<i64> = l.split(' ').map(|t| t.parse().expect("integer")).collect();
            let n0 = nums[0] as usize;
            let input_ids = nums[1..].to_vec();
            let token_type_ids = (0..input_ids.len()).map(|i| i64::from(i >= n0)).collect();
            Encoded { input_ids, token_type_ids }
        })
        .collect()
}

fn check_task(tok: &Tokenizer, glue: &Path, task: &str, fixture_name: &str) -> usize {
    let spec = TaskSpec::glue(task, glue).expect("known");
    let dev = spec.load(Split::Dev).expect("reads");
    let expected = read_id_fixture(fixture_name);
    assert_eq!(dev.len(), expected.len(), "{task}: fixture rows vs dev rows");
    let got = tok.encode_all(&dev, MAX_LEN);
    let mismatches: Vec<usize> = (0..dev.len()).filter(|&i| got[i] != expected[i]).collect();
    if let Some(&i) = mismatches.first() {
        panic!(
            "{task}: {} of {} pairs differ; first is row {i}\n a: {:?}\n b: {:?}\n rust: {:?}\n hf:   {:?}",
            mismatches.len(),
            dev.len(),
            dev[i].text_a,
            dev[i].text_b,
            got[i].input_ids,
            expected[i].input_ids
        );
    }
    assert!(got.iter().all(|e| e.len() <= MAX_LEN));
    got.iter().filter(|e| e.len() == MAX_LEN).count()
}

#[test]
fn rte_and_mrpc_dev_match_hugging_face() {
    let (glue, model) = (common::glue_dir(), common::model_dir(MODEL));
    let tok = Tokenizer::from_model_dir(&model).expect("tokenizer builds");
    assert!(tok.lower_case() && tok.strip_accents());
    assert_eq!((tok.pad_id(), tok.cls_id(), tok.sep_id(), tok.vocab_size()), (0, 101, 102, 30522));
    let truncated = check_task(&tok, &glue, "RTE", "tokenizer_L3_rte_dev.txt");
    // Truncation is exercised: RTE has long premises (MRPC pairs all fit in 128).
    assert!(truncated > 0, "no RTE pair reached {MAX_LEN} tokens");
    check_task(&tok, &glue, "MRPC", "tokenizer_L3_mrpc_dev.txt");
}

#[derive(Deserialize)]
struct EdgeCase {
    a: String,
    b: Option<String>,
    max_len: usize,
    input_ids: Vec<i64>,
    token_type_ids: Vec<i64>,
}

#[test]
fn edge_cases_match_hugging_face() {
    let model = common::model_dir(MODEL);
    let tok = Tokenizer::from_model_dir(&model).expect("tokenizer builds");
    let text = std::fs::read_to_string(fixture("tokenizer_L3_edge.jsonl")).expect("fixture exists");
    let mut n = 0;
    for line in text.lines().skip(1) {
        let case: EdgeCase = serde_json::from_str(line).expect("valid fixture line");
        let got = tok.encode(&case.a, case.b.as_deref(), case.max_len);
        assert_eq!(
            (&got.input_ids, &got.token_type_ids),
            (&case.input_ids, &case.token_type_ids),
            "a={:?} b={:?} max_len={}",
            case.a,
            case.b,
            case.max_len
        );
        n += 1;
    }
    assert!(n >= 15, "only {n} edge cases");
}

#[test]
fn cache_returns_the_same_encodings_once() {
    let (glue, model) = (common::glue_dir(), common::model_dir(MODEL));
    let tok = Tokenizer::from_model_dir(&model).expect("tokenizer builds");
    let dev = TaskSpec::glue("RTE", &glue).expect("known").load(Split::Dev).expect("reads");
    let first = encode_cached(&tok, "RTE", Split::Dev, 64, &dev);
    let second = encode_cached(&tok, "RTE", Split::Dev, 64, &dev);
    assert!(Arc::ptr_eq(&first, &second), "second call must hit the cache");
    assert_eq!(*first, tok.encode_all(&dev, 64));
    // Different examples under the same name are not confused with the cached ones.
    let subset = encode_cached(&tok, "RTE", Split::Dev, 64, &dev[..10]);
    assert_eq!(subset.len(), 10);
    let other_len = encode_cached(&tok, "RTE", Split::Dev, 32, &dev);
    assert!(other_len.iter().all(|e| e.len() <= 32));
}

#[test]
fn missing_model_folder_is_an_error_naming_the_vocab() {
    let err = Tokenizer::from_model_dir(Path::new("/nonexistent/model")).expect_err("no files");
    assert!(err.to_string().contains("/nonexistent/model/vocab.txt"), "{err}");
}
