# Core language: pattern matching, with/case/cond, comprehensions, sigils, strings,
# unicode, string formatting, ranges, Enum/Stream/Map/Keyword.
defmodule Basics do
  def fact(0), do: 1
  def fact(n) when n > 0, do: n * fact(n - 1)

  def classify(x) do
    cond do
      is_integer(x) and x < 0 -> :negative
      is_integer(x) -> :non_negative
      is_binary(x) -> :string
      true -> :other
    end
  end

  def parse(map) do
    with {:ok, a} <- Map.fetch(map, :a),
         {:ok, b} <- Map.fetch(map, :b),
         true <- is_number(a) and is_number(b) do
      {:sum, a + b}
    else
      :error -> :missing
      false -> :not_numbers
    end
  end
end

IO.puts(Basics.fact(30))
IO.inspect(Enum.map([-3, 0, "x", :a, 2.5], &Basics.classify/1))
IO.inspect([Basics.parse(%{a: 1, b: 2}), Basics.parse(%{a: 1}), Basics.parse(%{a: 1, b: "2"})])

# Comprehensions
IO.inspect(for x <- 1..4, y <- [:a, :b], rem(x, 2) == 0, do: {x, y})
IO.inspect(for <<c <- "hello">>, into: "", do: <<c - 32>>)
IO.inspect(for {k, v} <- %{a: 1, b: 2}, into: %{}, do: {v, k})
IO.inspect(for x <- [1, 2, 3, 2, 1], uniq: true, do: x * 10)
IO.inspect(for x <- 1..10, reduce: 0 do
  acc -> acc + x
end)

# Case and pattern matching
tup = {:ok, [1, 2, 3], %{"k" => "v"}}
case tup do
  {:ok, [h | t], %{"k" => v}} -> IO.inspect({h, t, v})
  _ -> IO.puts("nope")
end
[a, b | rest] = Enum.to_list(1..6)
IO.inspect({a, b, rest})
<<x::8, y::binary-size(2), z::binary>> = "abcdef"
IO.inspect({x, y, z})
^a = 1
IO.inspect(match?({_, _}, {1, 2}))

# Sigils
IO.inspect(~w(alpha beta gamma))
IO.inspect(~w(alpha beta)a)
IO.inspect(~s(with "quotes" and #{1 + 1}))
IO.inspect(~S(no #{interp} here\n))
IO.inspect(~c(charlist))
IO.inspect(~r/(\d+)-(\d+)/ |> Regex.run("tel 555-1234 x"))
IO.inspect(Regex.scan(~r/[aeiou]/u, "éducation"))
IO.inspect(Regex.replace(~r/(\w+)@(\w+)/, "joe@example bob@site", "\\2:\\1"))
IO.inspect(Regex.named_captures(~r/(?<year>\d{4})-(?<month>\d{2})/, "on 2024-03-15"))
IO.inspect(String.split("a,b;;c", ~r/[,;]/, trim: true))

# Strings and unicode
s = "héllo wörld ✓ 日本語"
IO.inspect({String.length(s), byte_size(s)})
IO.inspect(String.upcase(s))
IO.inspect(String.graphemes("e\u0301a"))
IO.inspect(String.codepoints("👍🏽"))
IO.inspect(String.reverse("añb"))
IO.inspect(String.pad_leading("42", 6, "0"))
IO.inspect(String.split("  a  b c ", " ", trim: true))
IO.inspect(String.slice(s, 2..6))
IO.inspect(String.replace("aaa", "a", "b", global: false))
IO.inspect(String.jaro_distance("martha", "marhta"))
IO.inspect(String.normalize("e\u0301", :nfc) == "é")
IO.inspect(String.to_atom("dyn_atom"))
IO.inspect(String.contains?("foobar", ["baz", "bar"]))
IO.inspect(:unicode.characters_to_list("ωμέγα"))
IO.puts(String.duplicate("=-", 10))
IO.inspect("tab\there\nnewline \e[0m \x00 \u{1F600}")
IO.inspect(<<0xFF, 0xFE>>)
IO.inspect("abc" <> <<0>>)

# Formatting
IO.puts(:io_lib.format("~8.3f|~-6s|~6b|~.16B|~e", [3.14159, "ab", 42, 255, 12345.678]))
IO.puts(Float.to_string(0.1 + 0.2))
IO.puts(Float.round(2.675, 2))
IO.inspect([1.0e10, 1.0e-10, 123.456, -0.0, 1.0e100, 5.0e-324])
IO.puts(Integer.to_string(255, 16))
IO.puts(Integer.pow(2, 100))
IO.inspect(Integer.digits(12345))
IO.inspect(div(-7, 2)); IO.inspect(rem(-7, 2)); IO.inspect(Integer.mod(-7, 2))
IO.puts("interp: #{inspect(%{a: [1, 2]})} #{:atom} #{1.5}")

# Enum / Stream / Map / Keyword
IO.inspect(Enum.reduce(1..10, &+/2))
IO.inspect(Enum.chunk_every(1..10, 3, 2, :discard))
IO.inspect(Enum.group_by(~w(apple avocado banana blueberry cherry), &String.first/1))
IO.inspect(Enum.frequencies(~w(a b a c b a)))
IO.inspect(Enum.sort_by([%{n: 3}, %{n: 1}, %{n: 2}], & &1.n, :desc))
IO.inspect(Enum.zip([1, 2, 3], [:a, :b, :c]) |> Enum.unzip())
IO.inspect(Enum.with_index(~w(x y z), 1))
IO.inspect(Enum.split_with(1..10, &(rem(&1, 3) == 0)))
IO.inspect(Enum.flat_map([1, 2], &[&1, &1 * 10]))
IO.inspect(Enum.min_max([5, 3, 9, 1]))
IO.inspect(Enum.take_while(1..100, &(&1 < 5)))
IO.inspect(Enum.dedup([1, 1, 2, 2, 1]))
IO.inspect(Enum.slide([:a, :b, :c, :d], 0, 2))
IO.inspect(Stream.iterate(1, &(&1 * 2)) |> Enum.take(10))
IO.inspect(Stream.unfold({0, 1}, fn {a, b} -> {a, {b, a + b}} end) |> Enum.take(15))
IO.inspect(1..20 |> Stream.filter(&(rem(&1, 2) == 0)) |> Stream.map(&(&1 * &1)) |> Enum.sum())
IO.inspect(Stream.cycle([1, 2]) |> Stream.zip(Stream.repeatedly(fn -> :x end)) |> Enum.take(3))
IO.inspect(Stream.resource(fn -> 0 end, fn n -> if n < 3, do: {[n], n + 1}, else: {:halt, n} end, fn _ -> :ok end) |> Enum.to_list())
IO.inspect(Stream.chunk_while(1..10, [], fn x, acc -> if rem(x, 3) == 0, do: {:cont, Enum.reverse([x | acc]), []}, else: {:cont, [x | acc]} end, fn acc -> {:cont, Enum.reverse(acc), []} end) |> Enum.to_list())
m = %{a: 1, b: 2, c: 3}
IO.inspect(Map.update!(m, :a, &(&1 + 100)))
IO.inspect(Map.merge(m, %{c: 30, d: 4}, fn _k, v1, v2 -> v1 + v2 end))
IO.inspect(Map.take(m, [:a, :c]))
IO.inspect(Map.to_list(m) |> Enum.filter(fn {_, v} -> v > 1 end) |> Map.new())
IO.inspect(get_in(%{a: %{b: %{c: 42}}}, [:a, :b, :c]))
IO.inspect(put_in(%{a: %{b: 1}}, [:a, :b], 2))
IO.inspect(update_in(%{list: [1, 2]}, [:list], &[0 | &1]))
IO.inspect(Keyword.merge([a: 1, b: 2], [b: 3, c: 4]))
IO.inspect(Keyword.get_values([a: 1, a: 2, b: 3], :a))
big = Map.new(1..40, fn i -> {i, i * i} end)
IO.inspect({map_size(big), big[33]})
IO.inspect(MapSet.new([3, 1, 2, 3]) |> MapSet.union(MapSet.new([5])))
IO.inspect(Tuple.to_list({1, 2}) ++ [3])
IO.inspect(List.flatten([1, [2, [3, [4]]]]))
IO.inspect(List.keyfind([{:a, 1}, {:b, 2}], :b, 0))
IO.inspect(:lists.seq(1, 5) |> :lists.reverse())
IO.inspect(Range.new(10, 1, -3) |> Enum.to_list())
IO.inspect(Date.new!(2024, 2, 29) |> Date.add(1))
IO.inspect(Date.day_of_week(~D[2023-12-25]))
IO.inspect(~N[2020-01-01 10:00:00] |> NaiveDateTime.add(3661))
IO.inspect(Time.diff(~T[12:00:00], ~T[10:30:00]))
IO.inspect(Version.compare("1.14.0", "1.9.3"))
IO.inspect(URI.parse("https://user@example.com:8080/p/a?q=1#f"))
IO.inspect(Base.encode64("hello world"), label: "b64")
IO.inspect(:erlang.phash2({:a, 1}))
IO.inspect(:erlang.term_to_binary(%{a: 1}) |> :erlang.binary_to_term())
