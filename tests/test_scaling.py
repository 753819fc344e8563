"""Tests for analysis.scaling: Wordscores and Wordfish, checked against published results.

Where each reference number comes from:

* Wordscores, LBG toy example (``lbg.csv``) and UK manifestos (``ukmanif.csv``): the tests of the R package
  austin, ``tests/testthat/test_wordscores.R`` in github.com/conjugateprior/austin (commit d1ce140), which pin
  word scores, the raw score of V1 (-0.4480591, the -0.448 of Laver, Benoit & Garry 2003, table 1), its
  standard error (0.01189767; the paper's 0.018 is a typo, austin's test says) and interval, and the LBG-
  rescaled 1997 manifestos (9.193603, 17.160808, 4.972796; within 0.05 of the paper). quanteda.textmodels'
  ``tests/testthat/test-textmodel_wordscores.R`` (github.com/quanteda/quanteda.textmodels) pins V1 after
  LBG rescaling of all six texts (-0.53, to 0.01) and after Martin-Vanberg rescaling (-0.51, to 0.1%).
* Wordfish, Irish budget debate 2009 (``iebudget2009.csv``): austin's tests pin no Wordfish values (only a
  correlation above 0.99 with simulated positions) and quanteda's pin the 2010 debate, which is not in the
  validation data. The one published austin fit of these data found is the transcript of an R session
  (R 2.12.2, 2011; workspace of user ``kbenoit``) running ``summary(wordfish(wfm(iebudget2009)))`` with the
  then default ``dir = c(1, 10)``, a text file in a public GitHub repository that a code-search index
  returned without naming the repository; its table of positions and standard errors is copied below
  (``AUSTIN_IEBUDGET2009``). austin reports as positions the values of its ``predict`` (each document's best
  position given the final word parameters), which is :meth:`Wordfish.transform` here. That our fit gives
  these 28 numbers back to 1e-4 is itself the evidence that the transcript is austin on these data.
* Wordfish on data simulated from its own model: the true positions are known (austin's own test of
  Wordfish is of this kind, with r > 0.99).
"""
from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.stats import norm
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from analysis import scaling
from analysis.scaling import Wordfish, Wordscores, check_counts, count_matrix
from analysis.scaling import matrix as scaling_matrix
from analysis.scaling import wordfish as scaling_wordfish
from analysis.scaling import wordscores as scaling_wordscores

LBG_SCORES = [-1.5, -0.75, 0.0, 0.75, 1.5]

# summary(wordfish(wfm(iebudget2009))) in austin, R 2.12.2 (2011): estimate and standard error per speaker.
AUSTIN_IEBUDGET2009 = pd.DataFrame.from_records([
    ("t06_kenny_fg", 0.7679, 0.02555), ("t05_cowen_ff", -1.8532, 0.02283), ("t14_ocaolain_sf", 0.1846, 0.03704),
    ("t01_lenihan_ff", -1.8330, 0.01997), ("t11_gormley_green", -1.1863, 0.07927),
    ("t04_morgan_sf", 0.1003, 0.02871), ("t12_ryan_green", -0.2298, 0.06418), ("t10_quinn_lab", 1.0112, 0.03756),
    ("t07_odonnell_fg", 0.4567, 0.04330), ("t09_higgins_lab", 1.1012, 0.03521), ("t03_burton_lab", 1.1326, 0.01521),
    ("t13_cuffe_green", -0.8336, 0.07228), ("t08_gilmore_lab", 0.6259, 0.02854), ("t02_bruton_fg", 0.5237, 0.02969),
], columns=["speaker", "theta", "se"], index="speaker")


def read_validation(folder, name: str) -> pd.DataFrame:
    """A validation matrix as documents × terms. Some terms of ``iebudget2009.csv`` have an empty name (lost
    in conversion, each a different word with its own counts): they are kept, named by their line."""
    table = pd.read_csv(folder / "scaling" / f"{name}.csv", keep_default_na=False)
    blank = table["term"] == ""
    table.loc[blank, "term"] = [f"<unnamed term, line {line + 2}>" for line in table.index[blank]]
    return table.set_index("term").T


@pytest.fixture(scope="module")
def lbg(validation) -> pd.DataFrame:
    return read_validation(validation, "lbg")


@pytest.fixture(scope="module")
def ukmanif(validation) -> pd.DataFrame:
    return read_validation(validation, "ukmanif")


@pytest.fixture(scope="module")
def iebudget(validation) -> pd.DataFrame:
    return read_validation(validation, "iebudget2009")


@pytest.fixture(scope="module")
def iebudget_fit(iebudget) -> Wordfish:
    return Wordfish(dir=(0, 9)).fit(iebudget)  # austin's default dir = c(1, 10) in 2011


def simulate(seed: int, n_documents: int = 50, n_terms: int = 500):
    """Counts drawn from the Wordfish model itself, with the true positions."""
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(n_documents)
    beta, psi = rng.normal(0, 0.5, n_terms), rng.normal(0, 1, n_terms)
    eta = psi[None, :] + theta[:, None] * beta[None, :]
    alpha = np.log(rng.uniform(2000, 8000, n_documents)) - np.log(np.exp(eta).sum(axis=1))
    counts = rng.poisson(np.exp(alpha[:, None] + eta))
    return counts, theta


def test_module_doctests():
    for module in (scaling_matrix, scaling_wordscores, scaling_wordfish):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0, module.__name__


# ---------------------------------------------------------------------------------------- Wordscores by hand

# Two reference texts at -1 and 1; "growth" is used equally by both, so it scores 0.
HAND = pd.DataFrame([[8, 2, 0], [0, 2, 8], [4, 4, 2], [0, 5, 5]], index=["left", "right", "new", "newer"],
                    columns=["tax", "growth", "welfare"])


def test_wordscores_by_hand():
    model = Wordscores(rescaling=None).fit(HAND.loc[["left", "right"]], [-1, 1])
    assert model.wordscores_.to_dict() == {"tax": -1.0, "growth": 0.0, "welfare": 1.0}
    table = model.predict(HAND.loc[["new", "newer"]])
    # new: 0.4 * -1 + 0.4 * 0 + 0.2 * 1; se = sqrt(0.4 * 0.8² + 0.4 * 0.2² + 0.2 * 1.2²) / sqrt(10)
    assert table.loc["new", "score"] == pytest.approx(-0.2)
    assert table.loc["new", "se"] == pytest.approx(math.sqrt(0.4 * 0.64 + 0.4 * 0.04 + 0.2 * 1.44) / math.sqrt(10))
    assert table.loc["newer", "score"] == pytest.approx(0.5)
    assert list(table.columns) == ["score", "se", "rescaled", "lower", "upper"]
    assert (table["rescaled"] == table["score"]).all()
    z = norm.ppf(0.975)
    assert np.allclose(table["lower"], table["score"] - z * table["se"])


def test_wordscores_leaves_out_words_the_references_never_use():
    model = Wordscores(rescaling=None).fit(HAND.loc[["left", "right"]], [-1, 1])
    extra = HAND.loc[["new"]].assign(peace=100)
    assert model.predict(extra).loc["new", "score"] == pytest.approx(-0.2)
    assert "peace" not in model.wordscores_.index


def test_wordscores_matches_words_by_name_not_position():
    model = Wordscores(rescaling=None).fit(HAND.loc[["left", "right"]], [-1, 1])
    shuffled = HAND.loc[["new"], ["welfare", "tax", "growth"]]
    assert model.predict(shuffled).loc["new", "score"] == pytest.approx(-0.2)


def test_wordscores_mv_maps_the_extreme_references_onto_their_scores():
    model = Wordscores(rescaling="mv").fit(HAND.loc[["left", "right"]], [-1, 1])
    table = model.predict(HAND)
    assert table.loc["left", "rescaled"] == pytest.approx(-1)
    assert table.loc["right", "rescaled"] == pytest.approx(1)


def test_wordscores_dataframe_and_sparse_input_agree():
    model = Wordscores().fit(HAND.loc[["left", "right"]], [-1, 1])
    from_frame = model.predict(HAND)
    sparse_model = Wordscores().fit(sp.csr_matrix(HAND.loc[["left", "right"]].to_numpy()), [-1, 1],
                                    terms=HAND.columns, documents=["left", "right"])
    from_sparse = sparse_model.predict(sp.csr_matrix(HAND.to_numpy()), terms=HAND.columns, documents=HAND.index)
    pd.testing.assert_frame_equal(from_frame, from_sparse)
    pd.testing.assert_series_equal(model.wordscores_, sparse_model.wordscores_, check_index_type=False)
    pandas_sparse = HAND.astype(pd.SparseDtype("int64", 0))
    pd.testing.assert_frame_equal(model.predict(pandas_sparse), from_frame)


def test_wordscores_lbg_gives_the_reference_spread():
    model = Wordscores().fit(HAND.loc[["left", "right"]], [-1, 1])
    table = model.predict(HAND.loc[["new", "newer"]])
    assert table["rescaled"].std(ddof=1) == pytest.approx(np.std([-1, 1], ddof=1))
    assert table["rescaled"].mean() == pytest.approx(table["score"].mean())


def test_wordscores_lbg_with_one_text_warns_and_keeps_the_raw_score():
    model = Wordscores().fit(HAND.loc[["left", "right"]], [-1, 1])
    with pytest.warns(UserWarning, match="two or more texts"):
        table = model.predict(HAND.loc[["new"]])
    assert table.loc["new", "rescaled"] == table.loc["new", "score"]


# ---------------------------------------------------------------------------------------- Wordscores vs austin

def test_wordscores_reproduces_lbg_word_scores(lbg):
    # austin test_wordscores.R: coef A -1.5, F -1.48125, Z 1.0369898, ZK 1.5
    model = Wordscores().fit(lbg.iloc[:5], LBG_SCORES)
    scores = model.wordscores_
    assert scores["A"] == -1.5 and scores["ZK"] == 1.5
    assert scores["F"] == pytest.approx(-1.48125, abs=1e-7)
    assert scores["Z"] == pytest.approx(1.0369898, abs=1e-7)


def test_wordscores_reproduces_lbg_virgin_text(lbg):
    model = Wordscores().fit(lbg.iloc[:5], LBG_SCORES)
    with pytest.warns(UserWarning, match="two or more texts"):
        table = model.predict(lbg.loc[["V1"]])
    row = table.loc["V1"]
    assert round(row["score"], 3) == -0.448          # LBG (2003) table 1
    assert row["score"] == pytest.approx(-0.4480591, abs=1e-6)   # austin
    assert round(row["se"], 4) == 0.0119
    assert row["se"] == pytest.approx(0.01189767, abs=1e-7)      # austin (the paper's 0.018 is a typo)
    assert row["rescaled"] == pytest.approx(-0.4480591, abs=1e-6)  # austin: one text is not rescaled


def test_wordscores_reproduces_austins_interval(lbg):
    # austin's predict() takes z = 0.95 and uses it as the multiplier of the standard error (not a 95%
    # normal quantile): Lower -0.4593619, Upper -0.4367563. The same multiplier is level = 2 Φ(0.95) - 1.
    model = Wordscores(level=2 * norm.cdf(0.95) - 1).fit(lbg.iloc[:5], LBG_SCORES)
    with pytest.warns(UserWarning):
        row = model.predict(lbg.loc[["V1"]]).loc["V1"]
    assert row["lower"] == pytest.approx(-0.4593619, abs=1e-6)
    assert row["upper"] == pytest.approx(-0.4367563, abs=1e-6)


def test_wordscores_rescalings_match_quanteda(lbg):
    # quanteda.textmodels: V1 is -0.53 (tolerance .01) with LBG rescaling of all six texts and -0.51
    # (tolerance .001, relative) with MV rescaling
    lbg_table = Wordscores().fit(lbg.iloc[:5], LBG_SCORES).predict(lbg)
    assert lbg_table.loc["V1", "rescaled"] == pytest.approx(-0.53, abs=0.005)
    mv_table = Wordscores(rescaling="mv").fit(lbg.iloc[:5], LBG_SCORES).predict(lbg)
    assert mv_table.loc["V1", "rescaled"] == pytest.approx(-0.51, rel=1e-3)
    assert mv_table.loc[["R1", "R5"], "rescaled"].tolist() == pytest.approx([-1.5, 1.5])


def test_wordscores_reproduces_the_uk_manifestos(ukmanif):
    references = ["UKCONS92a.txt", "UKLAB92a.txt", "UKLIBDEM92a.txt"]
    model = Wordscores().fit(ukmanif.loc[references], [17.21, 5.35, 8.21])
    # austin: 5,511 scored words; wide 9.767373, travel 13.995690, tax 9.932435
    assert len(model.wordscores_) == 5511
    assert model.wordscores_[["wide", "travel", "tax"]].tolist() == pytest.approx(
        [9.767373, 13.995690, 9.932435], abs=1e-6)
    table = model.predict(ukmanif.loc[["FULUKLAB97a.txt", "UKCONS97a.txt", "UKLIBDEM97a.txt"]])
    rescaled = table["rescaled"].tolist()
    assert rescaled == pytest.approx([9.193603, 17.160808, 4.972796], abs=1e-5)   # austin
    assert rescaled == pytest.approx([9.19, 17.16, 4.97], abs=0.05)               # the brief's figures
    assert table.loc["FULUKLAB97a.txt", "se"] == pytest.approx(0.01479069, abs=1e-7)


# ---------------------------------------------------------------------------------------- Wordfish

@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_wordfish_recovers_simulated_positions(seed):
    counts, theta = simulate(seed)
    low, high = int(np.argmin(theta)), int(np.argmax(theta))
    model = Wordfish(dir=(low, high)).fit(counts)
    assert model.converged_
    assert np.corrcoef(theta, model.theta_)[0, 1] >= 0.99


def test_wordfish_reproduces_austins_irish_budget_positions(iebudget, iebudget_fit):
    reported = iebudget_fit.transform(iebudget)  # what austin's summary() prints
    austin = AUSTIN_IEBUDGET2009.loc[iebudget.index]
    assert np.abs(reported["theta"] - austin["theta"]).max() <= 0.03
    assert np.abs(reported["se"] - austin["se"]).max() <= 0.002
    # the standardised positions of the model itself are austin's up to a spread of a few per cent
    assert np.corrcoef(iebudget_fit.theta_, austin["theta"])[0, 1] > 0.999
    assert np.abs(iebudget_fit.theta_ - austin["theta"]).max() <= 0.1


def test_wordfish_separates_government_from_opposition(validation, iebudget, iebudget_fit):
    covariates = pd.read_csv(validation / "scaling" / "iebudget2009cov.csv").set_index("file")
    side = covariates.loc[iebudget.index, "govtopp"]
    assert set(covariates.loc[side == "govt", "party"]) == {"ff", "green"}
    theta = iebudget_fit.theta_
    assert theta[side == "govt"].max() < theta[side == "opp"].min()


def test_wordfish_bootstrap_brackets_the_positions(iebudget_fit):
    table = iebudget_fit.bootstrap(n_samples=20, random_state=1)
    assert list(table.columns) == ["theta", "se", "bias", "lower", "upper"]
    assert ((table["lower"] < table["theta"]) & (table["theta"] < table["upper"])).all()
    assert (table["se"] > 0).all()
    # parametric bootstrap and observed information agree on the order of magnitude of the uncertainty
    ratio = table["se"] / iebudget_fit.theta_se_
    assert ratio.between(0.2, 5).all()
    again = iebudget_fit.bootstrap(n_samples=20, random_state=1)
    pd.testing.assert_frame_equal(table, again)


SMALL, SMALL_THETA = simulate(7, n_documents=12, n_terms=80)


def test_wordfish_identification():
    model = Wordfish(dir=(3, 0)).fit(SMALL)
    theta = model.theta_.to_numpy()
    assert theta.mean() == pytest.approx(0, abs=1e-12)
    assert theta.std(ddof=1) == pytest.approx(1, abs=1e-12)
    assert model.alpha_.iloc[0] == 0
    assert theta[0] > theta[3]
    flipped = Wordfish(dir=(0, 3)).fit(SMALL)
    assert flipped.theta_.to_numpy() == pytest.approx(-theta, abs=1e-6)


def test_wordfish_dir_by_name():
    frame = pd.DataFrame(SMALL, index=[f"doc{i}" for i in range(12)])
    by_name = Wordfish(dir=("doc3", "doc0")).fit(frame)
    by_position = Wordfish(dir=(3, 0)).fit(frame)
    pd.testing.assert_series_equal(by_name.theta_, by_position.theta_)


def test_wordfish_is_deterministic():
    first = Wordfish().fit(SMALL)
    second = Wordfish().fit(SMALL)
    pd.testing.assert_series_equal(first.theta_, second.theta_, check_exact=True)
    pd.testing.assert_series_equal(first.beta_, second.beta_, check_exact=True)
    single = Wordfish(n_jobs=1).fit(SMALL)
    pd.testing.assert_series_equal(first.theta_, single.theta_, check_exact=True)


def test_wordfish_dataframe_and_sparse_input_agree():
    frame = pd.DataFrame(SMALL, index=[f"d{i}" for i in range(12)], columns=[f"w{j}" for j in range(80)])
    dense_fit = Wordfish().fit(frame)
    sparse_fit = Wordfish().fit(sp.csr_matrix(SMALL), terms=frame.columns, documents=frame.index)
    pd.testing.assert_series_equal(dense_fit.theta_, sparse_fit.theta_, check_exact=True)
    pd.testing.assert_series_equal(dense_fit.beta_, sparse_fit.beta_, check_exact=True)
    pd.testing.assert_frame_equal(dense_fit.transform(frame),
                                  sparse_fit.transform(sp.csr_matrix(SMALL), documents=frame.index))


def test_wordfish_drops_terms_no_document_uses():
    counts = np.hstack([SMALL, np.zeros((12, 1), dtype=int)])
    model = Wordfish().fit(counts)
    assert len(model.beta_) == 80 and 80 not in model.beta_.index
    np.testing.assert_allclose(model.theta_, Wordfish().fit(SMALL).theta_)


def test_wordfish_positions_table():
    model = Wordfish(level=0.9).fit(SMALL)
    table = model.positions()
    assert list(table.columns) == ["theta", "se", "lower", "upper"]
    z = norm.ppf(0.95)
    np.testing.assert_allclose(table["upper"] - table["theta"], z * model.theta_se_)
    pd.testing.assert_series_equal(table["theta"], model.theta_)


def test_wordfish_transform_of_the_training_documents_is_close_to_theta():
    model = Wordfish().fit(SMALL)
    reported = model.transform(SMALL)
    assert np.corrcoef(reported["theta"], model.theta_)[0, 1] > 0.999


# ---------------------------------------------------------------------------------------- the estimator contract

@pytest.mark.parametrize("estimator", [Wordscores(rescaling="mv", level=0.9), Wordfish(dir=(1, 2), prior_sd=2.0)])
def test_params_live_in_init_and_clone(estimator):
    params = estimator.get_params()
    assert params == clone(estimator).get_params()
    assert "level" in params


def test_unfitted_estimators_raise():
    with pytest.raises(NotFittedError):
        Wordscores().predict(HAND)
    with pytest.raises(NotFittedError):
        Wordfish().transform(SMALL)
    with pytest.raises(NotFittedError):
        Wordfish().bootstrap(5)


def test_fit_returns_self():
    model = Wordscores()
    assert model.fit(HAND.loc[["left", "right"]], [-1, 1]) is model
    fish = Wordfish()
    assert fish.fit(SMALL) is fish


@pytest.mark.parametrize("X, options, error, match", [
    ("some text", {}, TypeError, "not a single str"),
    (np.array([1, 2, 3]), {}, TypeError, "two-dimensional"),
    (pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), {}, TypeError, "column 'b' is .*, not counts"),
    (pd.DataFrame({"a": [1, -2]}, index=["d1", "d2"]), {}, ValueError, "term 'a' in document 'd2' is negative"),
    (pd.DataFrame({"a": [1, 0.5]}), {}, ValueError, "not a whole number"),
    (pd.DataFrame({"a": [1, np.nan]}), {}, ValueError, "missing"),
    (pd.DataFrame({"a": [1, 0], "b": [2, 0]}, index=["d1", "empty"]), {}, ValueError, "no counts .'empty'"),
    (np.ones((2, 3)), {"terms": ["a", "b"]}, ValueError, "terms has 2 names for the 3 columns"),
    (np.ones((2, 3)), {"documents": ["x"]}, ValueError, "documents has 1 names for the 2 rows"),
    (np.ones((2, 2)), {"terms": ["a", "a"]}, ValueError, "names 'a' more than once"),
    (pd.DataFrame(np.ones((2, 2))), {"terms": ["a", "b"]}, ValueError, "pass terms= and documents= only"),
    (np.ones((0, 3)), {}, ValueError, "at least one document"),
])
def test_check_counts_rejects_bad_input(X, options, error, match):
    with pytest.raises(error, match=match):
        check_counts(X, **options)


def test_check_counts_names_and_equivalence():
    frame = HAND
    checked = check_counts(frame)
    assert list(checked.documents) == list(frame.index) and list(checked.terms) == list(frame.columns)
    assert checked.named
    unnamed = check_counts(sp.csr_matrix(frame.to_numpy()))
    assert not unnamed.named and list(unnamed.terms) == [0, 1, 2]
    assert (checked.matrix != unnamed.matrix).nnz == 0


@pytest.mark.parametrize("scores, match", [
    ([1, 1], "all reference scores are equal"),
    ([1], "1 values for the 2 reference texts"),
    ([1, np.nan], "fit on reference texts only"),
    ("12", "not a single str"),
    (pd.Series({"left": 1.0}), "no value for reference text 'right'"),
])
def test_wordscores_rejects_bad_scores(scores, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Wordscores().fit(HAND.loc[["left", "right"]], scores)


def test_wordscores_takes_scores_by_name():
    named = Wordscores(rescaling=None).fit(HAND.loc[["left", "right"]], pd.Series({"right": 1, "left": -1}))
    assert named.wordscores_["tax"] == -1


@pytest.mark.parametrize("options, match", [
    ({"rescaling": "z"}, "rescaling must be 'lbg', 'mv' or None, got 'z'"),
    ({"level": 1.5}, "level must be a number between 0 and 1"),
])
def test_wordscores_rejects_bad_options(options, match):
    with pytest.raises(ValueError, match=match):
        Wordscores(**options).fit(HAND.loc[["left", "right"]], [-1, 1])


def test_wordscores_mv_needs_distinct_extreme_references():
    twins = pd.DataFrame([[5, 5], [5, 5], [1, 9]], index=["a", "b", "c"], columns=["x", "y"])
    model = Wordscores(rescaling="mv").fit(twins, [0, 1, 2])
    with pytest.raises(ValueError, match="lowest and highest score to differ"):
        Wordscores(rescaling="mv").fit(twins.loc[["a", "b"]], [0, 1]).predict(twins)
    assert model.predict(twins).loc["c", "rescaled"] == pytest.approx(2)


def test_wordscores_rejects_texts_without_scored_words():
    model = Wordscores().fit(HAND.loc[["left", "right"]], [-1, 1])
    with pytest.raises(ValueError, match="use none of the 3 words"):
        model.predict(pd.DataFrame({"peace": [3]}, index=["other"]))


def test_wordscores_unnamed_columns_must_match_the_fit():
    model = Wordscores(rescaling=None).fit(HAND.loc[["left", "right"]], [-1, 1])
    assert model.predict(HAND.loc[["new"]].to_numpy()).iloc[0]["score"] == pytest.approx(-0.2)
    with pytest.raises(ValueError, match="X has 2 columns but the model was fitted on 3"):
        model.predict(np.ones((1, 2)))


@pytest.mark.parametrize("options, match", [
    ({"dir": (0, 0)}, "two different documents"),
    ({"dir": (0, 99)}, "out of range"),
    ({"dir": ("nobody", 0)}, "not a document"),
    ({"dir": 3}, "dir must be two documents"),
    ({"prior_sd": -1}, "prior_sd must be a number > 0 or None"),
    ({"tol": 0}, "tol must be a number > 0"),
    ({"max_iter": 0}, "max_iter must be a whole number >= 1"),
    ({"n_jobs": 0}, "n_jobs must be a whole number >= 1 or None"),
    ({"level": 0}, "level must be a number between 0 and 1"),
])
def test_wordfish_rejects_bad_options(options, match):
    with pytest.raises(ValueError, match=match):
        Wordfish(**options).fit(SMALL)


def test_wordfish_needs_three_documents():
    with pytest.raises(ValueError, match="at least 3 documents, got 2"):
        Wordfish().fit(SMALL[:2])


def test_wordfish_warns_when_it_stops_early():
    with pytest.warns(Warning, match="did not converge in 1 iterations"):
        model = Wordfish(max_iter=1).fit(SMALL)
    assert not model.converged_ and model.n_iter_ == 1


# ---------------------------------------------------------------------------------------- count_matrix

DOCUMENTS = pd.DataFrame({
    "doc_id": ["a", "b", "c"],
    "text": ["Peace and security, peace.", "Security and development.", "Development, peace, war."],
})


def test_count_matrix_uses_the_projects_counts():
    from analysis.terms import term_matrix

    table = count_matrix(DOCUMENTS, stopwords=frozenset())
    matrix, terms = term_matrix(DOCUMENTS["text"], ngram_range=(1, 1), stopwords=frozenset())
    assert list(table.columns) == list(terms)
    assert (table.to_numpy() == matrix.toarray()).all()
    assert list(table.index) == ["a", "b", "c"] and table.index.name == "doc_id"


def test_count_matrix_thresholds():
    table = count_matrix(DOCUMENTS, stopwords=frozenset(), min_docs=2)
    assert list(table.columns) == ["and", "development", "peace", "security"]
    table = count_matrix(DOCUMENTS, stopwords=frozenset(), min_count=3)
    assert list(table.columns) == ["peace"]
    table = count_matrix(DOCUMENTS, stopwords=frozenset(), max_terms=2)
    assert list(table.columns) == ["and", "peace"]  # peace 3; then and, development, security 2: by name


@pytest.mark.parametrize("documents, options, match", [
    (DOCUMENTS.drop(columns="text"), {}, "no column"),
    (pd.concat([DOCUMENTS, DOCUMENTS]), {}, "occurs more than once"),
    (DOCUMENTS, {"min_count": 0}, "min_count must be a whole number >= 1"),
    (DOCUMENTS, {"min_count": 100}, "no terms remain"),
])
def test_count_matrix_rejects_bad_input(documents, options, match):
    with pytest.raises(ValueError, match=match):
        count_matrix(documents, **options)


def test_count_matrix_feeds_the_estimators():
    table = count_matrix(DOCUMENTS, stopwords=frozenset())
    table = pd.concat([table, table.rename(index=lambda name: name + "2") * 2])
    model = Wordfish().fit(table)
    assert set(model.theta_.index) == set(table.index)


def test_public_names():
    assert set(scaling.__all__) >= {"Wordscores", "Wordfish", "count_matrix", "check_counts"}
