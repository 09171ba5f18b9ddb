# Reference values for reliability with missing answers and for omega total, on real data with
# real and with deleted answers (collabcomm.reliability: pairwise and listwise alpha, item
# statistics, Feldt's interval; collabcomm.omega: one-factor ML omega).
# Debian: r-base, r-cran-multilevel, r-cran-psych, r-cran-lavaan, r-cran-gparotation.
# Run from the repository root:
#   Rscript tests/reference/psych_missing.R
# Reads data/examples/lq2002_items.csv (written by multilevel_items.R). Writes
#   tests/reference/lq2002_deleted.csv  the answers deleted from lq2002: respondent,item (5 % of
#       the 2,042 x 19 item answers, drawn at random over all items with set.seed(31) and R's
#       default sample(); every item loses some). The data "lq2002_missing" are
#       data/examples/lq2002_items.csv with these cells blank.
#   tests/reference/multilevel_cohesion.csv  multilevel's cohesion data (11 soldiers, one real
#       missing answer: COH02 of row 2) with a respondent id R1..R11 added; GPL (>= 2).
#   tests/reference/reliability_missing_reference.csv  long and tidy, columns
#       data,scale,missing,item,statistic,value (item empty for scale statistics; value with 15
#       significant digits):
#     missing "pairwise": psych::alpha(x) with its default use = "pairwise", where x are the
#       respondents who answered at least one of the scale's items (psych counts every row it
#       is given in Feldt's n; a row with no answer on the scale carries no information).
#     missing "listwise": psych::alpha(na.omit(x)), the complete cases (as SPSS RELIABILITY).
#     scale statistics: raw_alpha, std_alpha, average_r ($total), feldt_low, feldt_high
#       ($feldt, 95 %), n_feldt (nrow of the data psych was given), n_complete,
#       n_pairwise_min (fewest respondents answering both items of any pair);
#     item statistics: n, mean, sd, r_drop ($item.stats), alpha_if_deleted ($alpha.drop).
#     missing "omega" (complete cases): omega_lavaan = (sum lambda)^2 / ((sum lambda)^2 +
#       sum theta) from lavaan::cfa of one factor with std.lv = TRUE (ML, the default);
#       omega_psych = psych::omega(x, nfactors = 1)$omega.tot (minres, the default);
#       omega_psych_ml = psych::omega(x, nfactors = 1, fm = "ml")$omega.tot; n_complete.
#       Item statistics loading and theta (lavaan's unstandardized estimates).
# tests/test_reliability_missing.py and tests/test_omega.py pin these values.
suppressPackageStartupMessages({
  library(multilevel); library(psych); library(lavaan); library(GPArotation)
})

lq <- read.csv("data/examples/lq2002_items.csv", stringsAsFactors = FALSE)
scales_lq <- list(LEAD = sprintf("LEAD%02d", 1:11), TSIG = sprintf("TSIG%02d", 1:3),
                  HOSTIL = sprintf("HOSTIL%02d", 1:5))
items <- unlist(scales_lq)
stopifnot(!anyNA(lq[, items]), nrow(lq) == 2042)
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(31)
cells <- sort(sample.int(nrow(lq) * length(items), round(0.05 * nrow(lq) * length(items))))
row <- (cells - 1) %% nrow(lq) + 1
col <- (cells - 1) %/% nrow(lq) + 1
deleted <- data.frame(respondent = lq$respondent[row], item = items[col])
stopifnot(all(items %in% deleted$item))
write.csv(deleted, "tests/reference/lq2002_deleted.csv", row.names = FALSE, quote = FALSE)
lq_missing <- lq
for (k in seq_along(cells)) lq_missing[row[k], items[col[k]]] <- NA

data(cohesion)
coh <- data.frame(respondent = paste0("R", seq_len(nrow(cohesion))), cohesion)
stopifnot(sum(is.na(coh)) == 1, is.na(coh$COH02[2]))
write.csv(coh, "tests/reference/multilevel_cohesion.csv", row.names = FALSE, quote = FALSE,
          na = "")

sets <- list(lq2002_missing = list(data = lq_missing, scales = scales_lq),
             cohesion = list(data = coh, scales = list(COH = sprintf("COH%02d", 1:5))))

out <- NULL
add <- function(data, scale, missing, item, statistic, value)
  out <<- rbind(out, data.frame(data = data, scale = scale, missing = missing, item = item,
                                statistic = statistic, value = value))
pair_min <- function(x) {
  ok <- !is.na(as.matrix(x))
  m <- crossprod(ok)
  min(m[upper.tri(m)])
}
for (d in names(sets)) {
  for (s in names(sets[[d]]$scales)) {
    cols <- sets[[d]]$scales[[s]]
    x <- sets[[d]]$data[, cols]
    x <- x[rowSums(!is.na(x)) > 0, ]
    complete <- na.omit(x)
    for (missing in c("pairwise", "listwise")) {
      y <- if (missing == "pairwise") x else complete
      a <- psych::alpha(y, warnings = FALSE)
      add(d, s, missing, "", c("raw_alpha", "std_alpha", "average_r", "feldt_low",
                               "feldt_high", "n_feldt", "n_complete", "n_pairwise_min"),
          c(a$total$raw_alpha, a$total$std.alpha, a$total$average_r, a$feldt$lower.ci[[1]],
            a$feldt$upper.ci[[1]], nrow(y), nrow(complete), pair_min(y)))
      for (i in seq_along(cols)) {
        add(d, s, missing, cols[i], c("n", "mean", "sd", "r_drop", "alpha_if_deleted"),
            c(a$item.stats$n[i], a$item.stats$mean[i], a$item.stats$sd[i],
              a$item.stats$r.drop[i], a$alpha.drop$raw_alpha[i]))
      }
    }
    fit <- cfa(paste("f =~", paste(cols, collapse = " + ")), data = complete, std.lv = TRUE)
    stopifnot(lavInspect(fit, "converged"))
    pe <- parameterEstimates(fit)
    lambda <- pe$est[pe$op == "=~"]
    theta <- pe$est[pe$op == "~~" & pe$lhs %in% cols & pe$lhs == pe$rhs]
    om <- sum(lambda)^2 / (sum(lambda)^2 + sum(theta))
    o1 <- suppressWarnings(suppressMessages(psych::omega(complete, nfactors = 1,
                                                         plot = FALSE)))
    o2 <- suppressWarnings(suppressMessages(psych::omega(complete, nfactors = 1, fm = "ml",
                                                         plot = FALSE)))
    add(d, s, "omega", "", c("omega_lavaan", "omega_psych", "omega_psych_ml", "n_complete"),
        c(om, o1$omega.tot, o2$omega.tot, nrow(complete)))
    for (i in seq_along(cols)) {
      add(d, s, "omega", cols[i], c("loading", "theta"), c(lambda[i], theta[i]))
    }
  }
}
out$value <- vapply(out$value, function(v) format(v, digits = 15), "")
write.csv(out, "tests/reference/reliability_missing_reference.csv", row.names = FALSE,
          quote = FALSE)
cat(R.version.string, " multilevel", as.character(packageVersion("multilevel")),
    " psych", as.character(packageVersion("psych")),
    " lavaan", as.character(packageVersion("lavaan")), "\n")
