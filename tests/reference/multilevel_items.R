# Reference values for the item-level path of collabcomm (codebook -> scale scores -> alpha, ICC,
# rwg(j)) on real data no one here wrote: the item columns of lq2002 (Bliese, Halverson &
# Schriesheim 2002; 2,042 soldiers in 49 US Army companies) from Bliese's multilevel package.
# Debian: r-base, r-cran-multilevel, r-cran-psych. Run from the repository root:
#   Rscript tests/reference/multilevel_items.R
# Writes
#   data/examples/lq2002_items.csv  the data: respondent (R1, R2, ... in the package's row order,
#       which is its SUB column), COMPID and the 19 items LEAD01-LEAD11, TSIG01-TSIG03 (1-5) and
#       HOSTIL01-HOSTIL05 (0-4); data of the multilevel package, GPL (>= 2), see
#       data/examples/README.md. data/examples/lq2002_codebook.yaml describes it.
#   tests/reference/lq2002_items_reference.csv  long and tidy, columns
#       table,scale,unit,item,statistic,value  (unit and item empty where they do not apply;
#       value with 15 significant digits, NA where R gives none):
#     table alpha     (per scale)  raw_alpha, std_alpha, average_r: psych::alpha(items)$total
#                     raw_alpha, std.alpha, average_r; n_items, n_respondents
#     table item      (per item)   r_drop = item.stats$r.drop (item-rest correlation),
#                     alpha_if_deleted = alpha.drop$raw_alpha, mean, sd = item.stats mean, sd
#     table icc       (per scale)  icc1 = multilevel::ICC1, icc2 = multilevel::ICC2 of
#                     aov(rowMeans(items) ~ as.factor(COMPID)) (ICC(1) with group size N/J);
#                     n_units (J), n_respondents (N)
#     table agreement (per scale and unit COMPID)  rwg_j = multilevel::rwg.j(items, COMPID,
#                     ranvar = 2)$rwg.j (truncated at 0 when the mean item variance exceeds
#                     ranvar), rwg_j_lindell = multilevel::rwg.j.lindell(..., ranvar = 2)
#                     $rwg.lindell (r*wg(j), may be negative), n = gsize, mean = mean over the
#                     unit's respondents of the respondent's item mean (raw metric, not POMP)
#   ranvar = (A^2 - 1) / 12 = 2 for A = 5 options, for all three scales (HOSTIL runs 0-4, still
#   5 options). A unit of one respondent gets rwg_j and rwg_j_lindell NA from multilevel (checked
#   below); lq2002 has none (smallest company: 10).
# tests/test_survey.py pins these values (lq2002 scored through data/examples/lq2002_codebook.yaml).
suppressPackageStartupMessages({library(multilevel); library(psych)})
data(lq2002)
scales <- list(LEAD = sprintf("LEAD%02d", 1:11), TSIG = sprintf("TSIG%02d", 1:3),
               HOSTIL = sprintf("HOSTIL%02d", 1:5))
stopifnot(all(unlist(scales) %in% names(lq2002)), !anyNA(lq2002[, unlist(scales)]),
          identical(lq2002$SUB, seq_len(nrow(lq2002))))
ranvar <- (5^2 - 1) / 12

# how multilevel treats a unit of one respondent: NA, and gsize 1
one <- data.frame(a = c(1, 2, 3, 4), b = c(2, 2, 3, 5))
stopifnot(is.na(rwg.j(one, c(1, 2, 2, 2), ranvar)$rwg.j[1]),
          is.na(rwg.j.lindell(one, c(1, 2, 2, 2), ranvar)$rwg.lindell[1]),
          rwg.j(one, c(1, 2, 2, 2), ranvar)$gsize[1] == 1)

items <- data.frame(respondent = paste0("R", seq_len(nrow(lq2002))),
                    COMPID = lq2002$COMPID, lq2002[, unlist(scales)])
write.csv(items, "data/examples/lq2002_items.csv", row.names = FALSE, quote = FALSE)

row <- function(table, scale, unit, item, statistic, value)
  data.frame(table = table, scale = scale, unit = unit, item = item, statistic = statistic,
             value = value)
out <- NULL
for (s in names(scales)) {
  x <- items[, scales[[s]]]
  a <- psych::alpha(x, warnings = FALSE)
  out <- rbind(out, row("alpha", s, "", "", c("raw_alpha", "std_alpha", "average_r", "n_items",
                                              "n_respondents"),
                        c(a$total$raw_alpha, a$total$std.alpha, a$total$average_r, ncol(x),
                          nrow(x))))
  for (i in seq_along(scales[[s]])) {
    out <- rbind(out, row("item", s, "", scales[[s]][i],
                          c("r_drop", "alpha_if_deleted", "mean", "sd"),
                          c(a$item.stats$r.drop[i], a$alpha.drop$raw_alpha[i],
                            a$item.stats$mean[i], a$item.stats$sd[i])))
  }
  score <- rowMeans(x)
  fit <- aov(score ~ as.factor(items$COMPID))
  out <- rbind(out, row("icc", s, "", "", c("icc1", "icc2", "n_units", "n_respondents"),
                        c(ICC1(fit), ICC2(fit), length(unique(items$COMPID)), length(score))))
  r <- rwg.j(x, items$COMPID, ranvar = ranvar)
  l <- rwg.j.lindell(x, items$COMPID, ranvar = ranvar)
  stopifnot(identical(r$grpid, l$grpid), identical(r$gsize, l$gsize))
  m <- tapply(score, items$COMPID, mean)[r$grpid]
  for (k in seq_len(nrow(r))) {
    out <- rbind(out, row("agreement", s, r$grpid[k], "",
                          c("rwg_j", "rwg_j_lindell", "n", "mean"),
                          c(r$rwg.j[k], l$rwg.lindell[k], r$gsize[k], m[[k]])))
  }
}
out$value <- vapply(out$value, function(v) format(v, digits = 15), "")
write.csv(out, "tests/reference/lq2002_items_reference.csv", row.names = FALSE, quote = FALSE)
cat(R.version.string, " multilevel", as.character(packageVersion("multilevel")),
    " psych", as.character(packageVersion("psych")), "\n")
